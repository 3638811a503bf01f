"""Admin: sites, departments, teams and staff are saved through the accounts actions
(administrators only; each save is on the configuration record). Nothing is deleted here:
cases, users and surveys refer to these rows (PROTECT); a member of staff is deactivated."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from kefu.accounts import actions
from kefu.accounts.actors import Actor
from kefu.accounts.models import ConfigurationEvent, Department, Site, Team, User
from kefu.core.admin import ReadOnlyAdmin
from kefu.core.errors import ValidationFailed


def actor_of(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)  # type: ignore[arg-type]


def may_configure(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and actions.is_administrator(request.user)


class CheckedForm(forms.ModelForm):
    """Runs the action's own checks on the posted values, so a refusal shows on the form."""

    configuration_check: actions.Check | None = None
    configured_fields: list[str] = []
    actor: Actor | None = None

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the instance now has the posted values
        check, actor = type(self).configuration_check, self.actor
        if self.errors or check is None or actor is None:
            return
        model = type(self.instance)
        stored = None
        if self.instance.pk is not None:
            stored = actions.stored_values(model, self.instance.pk, self.configured_fields)
        try:
            check(self.instance, stored, actor)
        except ValidationFailed as exc:
            for field, message in exc.fields.items():
                self.add_error(field if field in self.fields else None, f"{field}: {message}")


class ConfigurationAdmin(admin.ModelAdmin):
    """Administrators only; the form runs the action's checks; nothing is deleted."""

    configured_fields: list[str] = []

    def configuration_check(self) -> actions.Check | None:
        """The action's checks, run on the form too."""
        return None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_configure(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # referred to by cases, users and surveys (PROTECT)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj is not None else ()

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return checked(form, self.configuration_check(), self.configured_fields, actor_of(request))

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        form = super().get_changelist_form(request, **kwargs)
        return checked(form, self.configuration_check(), self.configured_fields, actor_of(request))

    def save_configuration(self, actor: Actor, values: dict[str, Any], row_id: int | None) -> Any:
        """Save through the app's action (which checks and records the change)."""
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = values_of(obj, self.configured_fields)
        obj.pk = self.save_configuration(actor_of(request), values, obj.pk if change else None).pk


def checked(
    form: type[forms.ModelForm], check: actions.Check | None, fields: list[str], actor: Actor
) -> type[forms.ModelForm]:
    """The form class for this request, with the action's checks and the request's actor."""
    attrs = {"configuration_check": check, "configured_fields": fields, "actor": actor}
    return type(form.__name__, (CheckedForm, form), attrs)


def values_of(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "team", "site", "is_active")
    list_filter = ("role", "team", "site", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Kefu", {"fields": ("display_name", "role", "team", "site", "department")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_configure(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # their cases and records name them (PROTECT): deactivate instead

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form  # the add form: username and password; the action checks the rest
        return checked(form, actions.check_staff_user, actions.STAFF_FIELDS, actor_of(request))

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            usable = data.get("set_usable_password", True)
            saved = actions.save_staff_user(
                actor=actor_of(request),
                values={"username": obj.username},
                password=data.get("password1") if usable else None,
            )
        else:
            saved = actions.save_staff_user(
                actor=actor_of(request),
                values={f: getattr(obj, f) for f in actions.STAFF_FIELDS},
                user_id=obj.pk,
                groups=[g.pk for g in data["groups"]] if "groups" in data else None,
                permissions=(
                    [p.pk for p in data["user_permissions"]] if "user_permissions" in data else None
                ),
            )
        obj.pk, obj.password = saved.pk, saved.password

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:  # groups and permissions were set by the action
            self.save_formset(request, form, formset, change=change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's password form, with the change on the configuration record."""
        with transaction.atomic():
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            after = User.objects.filter(pk=id).values_list("password", flat=True).first()
            if before is not None and after != before:
                actions.record_password_change(actor=actor_of(request), user_id=int(id))
        return response


@admin.register(Site)
class SiteAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "kind", "first_responsible", "reply_check_policy")
    configured_fields = actions.SITE_FIELDS

    def configuration_check(self) -> actions.Check:
        return actions.check_site

    def save_configuration(self, actor: Actor, values: dict[str, Any], row_id: int | None) -> Site:
        return actions.save_site(actor=actor, values=values, site_id=row_id)


@admin.register(Department)
class DepartmentAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "side")
    configured_fields = actions.DEPARTMENT_FIELDS

    def configuration_check(self) -> actions.Check:
        return actions.check_department

    def save_configuration(
        self, actor: Actor, values: dict[str, Any], row_id: int | None
    ) -> Department:
        return actions.save_department(actor=actor, values=values, department_id=row_id)


@admin.register(Team)
class TeamAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "site", "department", "supervisor")
    configured_fields = actions.TEAM_FIELDS

    def configuration_check(self) -> actions.Check:
        return actions.check_team

    def save_configuration(self, actor: Actor, values: dict[str, Any], row_id: int | None) -> Team:
        return actions.save_team(actor=actor, values=values, team_id=row_id)


@admin.register(ConfigurationEvent)
class ConfigurationEventAdmin(ReadOnlyAdmin):
    """The configuration's record: read only (entries are written by the actions)."""

    list_display = ("at", "app_label", "model", "object_label", "action", "actor_user")
    list_filter = ("app_label", "model", "action")
    search_fields = ("object_label", "object_id")
