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
from kefu.crm import actions
from kefu.crm.configuration import (
    SETTINGS_FIELDS,
    TIER_FIELDS,
    clean_crm_settings,
    clean_value_tier,
)
from kefu.crm.models import (
    ChurnAssessment,
    CrmSettings,
    FollowUpTask,
    Need,
    TierChange,
    ValueTier,
)


def _refusal_to_form(form: forms.ModelForm, exc: ValidationFailed) -> None:
    for field, message in exc.fields.items():
        form.add_error(field if field in form.fields else None, f"{field}: {message}")


class ValueTierForm(forms.ModelForm):
    """Checked by the action's own rules (also on the list page's editable columns)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {f: data.get(f, getattr(self.instance, f)) for f in TIER_FIELDS}
        if not self.errors:
            try:
                clean_value_tier(values, tier_id=self.instance.pk)
            except ValidationFailed as exc:
                _refusal_to_form(self, exc)
        return data


class CrmSettingsForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {f: data.get(f, getattr(self.instance, f)) for f in SETTINGS_FIELDS}
        if not self.errors:
            try:
                clean_crm_settings(values)
            except ValidationFailed as exc:
                _refusal_to_form(self, exc)
        return data


class ConfigurationAdmin(admin.ModelAdmin):
    """Configuration edited here goes through the crm actions (checked, recorded as a
    configuration event); supervising roles only, and nothing is deleted."""

    def _may_configure(self, request: HttpRequest) -> bool:
        return isinstance(request.user, User) and is_supervising(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self._may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_configure(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return super().get_changelist_form(request, form=self.form, **kwargs)


@admin.register(ValueTier)
class ValueTierAdmin(ConfigurationAdmin):
    """Reference data: the value tiers (names, RFM floors, queue priority, entitlements).
    A tier is deactivated, not deleted: customers and the tier history refer to its code."""

    form = ValueTierForm
    list_display = ("code", "name", "name_en", "rank", "min_score", "queue_priority", "active")
    list_editable = ("min_score", "queue_priority", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: ValueTier, form: Any, change: bool) -> None:
        saved = actions.save_value_tier(
            actor=Actor.staff(request.user),  # type: ignore[arg-type]
            values={f: getattr(obj, f) for f in TIER_FIELDS},
            tier_id=obj.pk if change else None,
        )
        obj.pk = saved.pk


@admin.register(CrmSettings)
class CrmSettingsAdmin(ConfigurationAdmin):
    """The grading window and method, the churn weights and threshold (one row)."""

    form = CrmSettingsForm
    list_display = ("__str__", "churn_window_days", "churn_threshold")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not CrmSettings.objects.exists()

    def save_model(self, request: HttpRequest, obj: CrmSettings, form: Any, change: bool) -> None:
        saved = actions.update_crm_settings(
            actor=Actor.staff(request.user),  # type: ignore[arg-type]
            **{f: getattr(obj, f) for f in SETTINGS_FIELDS},
        )
        obj.pk = saved.pk


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "customer", "previous", "tier", "r", "f", "m", "score", "reason")
    list_filter = ("tier",)


@admin.register(ChurnAssessment)
class ChurnAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("customer", "score", "at_risk", "computed_at")
    list_filter = ("at_risk",)


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(ReadOnlyAdmin):
    list_display = ("customer", "assignee", "status", "due_at")
    list_filter = ("status",)


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("title", "customer", "category", "priority", "status")
    list_filter = ("category", "status")
