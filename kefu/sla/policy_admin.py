"""Admin pages for SLA policies and calendar assignments; saves go through the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kefu.accounts.actors import Actor
from kefu.sla import policy_actions, policy_keys
from kefu.sla.admin import AdminOnly, InlineAdminOnly
from kefu.sla.policies import CalendarAssignment, SlaPolicy, SlaTarget


class TargetInline(InlineAdminOnly, admin.TabularInline):
    model = SlaTarget
    extra = 1
    fields = ["metric", "minutes", "business_time", "warn_share"]


class SlaPolicyForm(forms.ModelForm):
    """The keys as choices of what exists (kinds, tiers, priorities by name), not free text."""

    kind_code = forms.ChoiceField(label=_("工单类型"), required=False)
    tier = forms.ChoiceField(label=_("客户等级"), required=False)
    priority = forms.TypedChoiceField(
        label=_("优先级"), required=False, coerce=int, empty_value=None
    )

    class Meta:
        model = SlaPolicy
        fields = ["name", "kind_code", "tier", "priority", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in ("kind_code", "tier", "priority"):
            field = self.fields[key]
            assert isinstance(field, forms.ChoiceField)
            field.choices = policy_keys.choices(key)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AdminOnly, admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ["name", "kind_name", "tier_name", "priority_name", "active", "version"]
    list_filter = ["active"]
    readonly_fields = ["version"]
    inlines = [TargetInline]

    @admin.display(description=_("工单类型"))
    def kind_name(self, obj: SlaPolicy) -> str:
        return _named("kind_code", obj.kind_code)

    @admin.display(description=_("客户等级"))
    def tier_name(self, obj: SlaPolicy) -> str:
        return _named("tier", obj.tier)

    @admin.display(description=_("优先级"))
    def priority_name(self, obj: SlaPolicy) -> str:
        return _named("priority", obj.priority)

    def save_model(
        self, request: HttpRequest, obj: SlaPolicy, form: forms.ModelForm, change: bool
    ) -> None:
        # Saved with its targets in save_formset, through the action that bumps versions.
        self._pending = form.cleaned_data

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        data: dict[str, Any] = self._pending
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        saved = policy_actions.save_policy(
            actor=Actor.staff(request.user),  # type: ignore[arg-type]
            policy=SlaPolicy.objects.get(pk=form.instance.pk) if change else None,
            name=data["name"],
            kind_code=data["kind_code"],
            tier=data["tier"],
            priority=data["priority"],
            active=data["active"],
            targets=[
                policy_actions.TargetInput(
                    r["metric"], r["minutes"], r["business_time"], r["warn_share"]
                )
                for r in rows
            ],
        )
        form.instance.pk = saved.pk
        # The admin's change message reads these; the action replaced the rows wholesale.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


def _named(key: str, value: object) -> str:
    if value in ("", None):
        return "—"
    return dict(policy_keys.choices(key)).get(str(value), str(value))


@admin.register(CalendarAssignment)
class CalendarAssignmentAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ["calendar", "team", "site"]

    def save_model(
        self, request: HttpRequest, obj: CalendarAssignment, form: forms.ModelForm, change: bool
    ) -> None:
        saved = policy_actions.assign_calendar(
            actor=Actor.staff(request.user),  # type: ignore[arg-type]
            calendar=form.cleaned_data["calendar"],
            team=form.cleaned_data.get("team"),
            site=form.cleaned_data.get("site"),
        )
        obj.pk = saved.pk
