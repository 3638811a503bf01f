from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising
from kefu.core.admin import ReadOnlyAdmin
from kefu.core.errors import ValidationFailed
from kefu.customers.actions import DECISION_ROLE_FIELDS, clean_decision_role, save_decision_role
from kefu.customers.models import (
    ConsumptionRecord,
    Customer,
    CustomerEmail,
    CustomerEvent,
    CustomerPhone,
    DecisionRole,
    ImportJob,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhoneInline(ReadOnlyInline):
    model = CustomerPhone


class EmailInline(ReadOnlyInline):
    model = CustomerEmail


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    """Customers are registered and edited on the customer pages and the API (normalised
    phones and emails, the customer's record); the admin lists and shows them."""

    list_display = ("name", "kind", "tier", "primary_phone", "primary_email", "created_at")
    list_filter = ("kind", "tier")
    search_fields = ("name", "phones__number", "emails__address")
    inlines = [PhoneInline, EmailInline]


class DecisionRoleForm(forms.ModelForm):
    """Checked by the action's own rules (also on the list page's editable columns)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {f: data.get(f, getattr(self.instance, f)) for f in DECISION_ROLE_FIELDS}
        if not self.errors:
            try:
                clean_decision_role(values, role_id=self.instance.pk)
            except ValidationFailed as exc:
                for field, message in exc.fields.items():
                    self.add_error(field if field in self.fields else None, f"{field}: {message}")
        return data


@admin.register(DecisionRole)
class DecisionRoleAdmin(admin.ModelAdmin):
    """Reference data: the decision-chain roles, saved through save_decision_role (checked,
    recorded); supervising roles only. A role is deactivated, not deleted: contacts hold it."""

    form = DecisionRoleForm
    list_display = ("code", "name", "name_en", "rank", "active")
    list_editable = ("rank", "active")

    def _may_configure(self, request: HttpRequest) -> bool:
        return isinstance(request.user, User) and is_supervising(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self._may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_configure(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj is not None else ()

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return super().get_changelist_form(request, form=self.form, **kwargs)

    def save_model(self, request: HttpRequest, obj: DecisionRole, form: Any, change: bool) -> None:
        saved = save_decision_role(
            actor=Actor.staff(request.user),  # type: ignore[arg-type]
            values={f: getattr(obj, f) for f in DECISION_ROLE_FIELDS},
            role_id=obj.pk if change else None,
        )
        obj.pk = saved.pk


@admin.register(CustomerEvent)
class CustomerEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "type", "customer", "actor_user", "actor_source")
    list_filter = ("type",)


@admin.register(ConsumptionRecord)
class ConsumptionAdmin(ReadOnlyAdmin):
    list_display = ("occurred_on", "customer", "product", "amount", "channel", "external_id")
    search_fields = ("external_id", "product")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "original_name", "state", "created_count", "error_rows")
    list_filter = ("kind", "state")
