"""Admin pages for business calendars, with the due-time preview. Writes go through actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.core.errors import DomainError
from kefu.sla import actions, selectors
from kefu.sla.business_time import DayKind
from kefu.sla.models import BusinessCalendar, Closure, ExtraWorkday, WorkingPeriod
from kefu.sla.words import duration_text, holiday_name

DAY_KINDS = {
    DayKind.WORKDAY: _("工作日"),
    DayKind.REST_DAY: _("休息日"),
    DayKind.HOLIDAY: _("法定节假日"),
    DayKind.MAKEUP_WORKDAY: _("调休上班"),
    DayKind.EXTRA_WORKDAY: _("额外工作日"),
    DayKind.CLOSED: _("停业"),
    DayKind.ALWAYS_OPEN: _("全天"),
}

# The question the preview answers first: the last working day before National Day 2025.
PREVIEW_START = dt.datetime(2025, 9, 30, 17, 50)
PREVIEW_HOURS = Decimal(4)


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", "") == Role.ADMIN)


class AdminOnly:
    """Calendars are an administrator's business (issue 4): other roles see nothing here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Clocks will refer to calendars; retiring one is a later feature.
        return False


class InlineAdminOnly(AdminOnly):
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_admin(request)


class CalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["code", "name", "time_zone", "region", "is_24x7", "makeup_weekday"]

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if problem := actions.time_zone_problem(value):
            raise ValidationError(problem)
        return value

    def clean_region(self) -> str:
        value = self.cleaned_data["region"].strip().upper()
        if problem := actions.region_problem(value):
            raise ValidationError(problem)
        return value


def _kept_rows(formset: BaseInlineFormSet) -> list[dict[str, Any]]:
    return [
        form.cleaned_data
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class PeriodFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        periods = [
            actions.WeeklyPeriod(row["weekday"], row["start"], row["end"])
            for row in _kept_rows(self)
        ]
        problems = actions.period_problems(periods)
        if problems:
            raise ValidationError(
                [f"{day}: {'; '.join(found)}" for day, found in sorted(problems.items())]
            )


class ClosureFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        errors = [
            problem
            for row in _kept_rows(self)
            if (problem := actions.closure_problem(_closure_input(row)))
        ]
        if errors:
            raise ValidationError(errors)


def _closure_input(row: dict[str, Any]) -> actions.ClosureInput:
    return actions.ClosureInput(
        first_day=row.get("first_day"),
        last_day=row.get("last_day"),
        starts_at=row.get("starts_at"),
        ends_at=row.get("ends_at"),
        reason=row.get("reason") or "",
    )


class WorkingPeriodInline(InlineAdminOnly, admin.TabularInline):
    model = WorkingPeriod
    formset = PeriodFormSet
    extra = 0
    fields = ["weekday", "start", "end"]


class ClosureInline(InlineAdminOnly, admin.TabularInline):
    model = Closure
    formset = ClosureFormSet
    extra = 0
    fields = ["first_day", "last_day", "starts_at", "ends_at", "reason"]


class ExtraWorkdayInline(InlineAdminOnly, admin.TabularInline):
    model = ExtraWorkday
    extra = 0
    fields = ["day", "reason"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AdminOnly, admin.ModelAdmin):
    form = CalendarForm
    list_display = ["code", "name", "time_zone", "region", "is_24x7", "version", "preview_link"]
    readonly_fields = ["version", "updated_at", "preview_link"]
    inlines = [WorkingPeriodInline, ClosureInline, ExtraWorkdayInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # The code names the calendar in configuration and data: fixed once created.
        return [*self.readonly_fields, "code"] if obj is not None else self.readonly_fields

    @admin.display(description=_("到期预览"))
    def preview_link(self, obj: BusinessCalendar) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:sla_businesscalendar_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("预览到期时间"))

    def save_model(
        self, request: HttpRequest, obj: BusinessCalendar, form: forms.ModelForm, change: bool
    ) -> None:
        actor = Actor.staff(request.user)  # type: ignore[arg-type]
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "time_zone": data["time_zone"],
            "region": data["region"],
            "is_24x7": data["is_24x7"],
            "makeup_weekday": data["makeup_weekday"],
        }
        if change:
            saved = actions.update_calendar(
                BusinessCalendar.objects.get(pk=obj.pk), actor=actor, **fields
            )
        else:
            saved = actions.create_calendar(actor=actor, code=data["code"], **fields)
        # The inline formsets attach to this instance.
        obj.pk, obj.version, obj.updated_at = saved.pk, saved.version, saved.updated_at
        obj._state.adding = False

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        actor = Actor.staff(request.user)  # type: ignore[arg-type]
        calendar = form.instance
        rows = _kept_rows(formset)
        if formset.model is WorkingPeriod:
            actions.set_working_periods(
                calendar,
                [actions.WeeklyPeriod(r["weekday"], r["start"], r["end"]) for r in rows],
                actor=actor,
            )
        elif formset.model is Closure:
            actions.set_closures(calendar, [_closure_input(r) for r in rows], actor=actor)
        elif formset.model is ExtraWorkday:
            actions.set_extra_workdays(
                calendar,
                [actions.ExtraWorkdayInput(r["day"], r.get("reason") or "") for r in rows],
                actor=actor,
            )
        else:  # pragma: no cover - only the three inlines above exist
            super().save_formset(request, form, formset, change)
            return
        # The admin's change message reads these; the actions replaced the rows wholesale.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<int:calendar_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="sla_businesscalendar_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest, calendar_id: int) -> HttpResponse:
        calendar = get_object_or_404(BusinessCalendar, pk=calendar_id)
        if not self.has_view_permission(request, calendar):
            return HttpResponse(status=403)
        form = PreviewForm(request.GET or None)
        preview = None
        if form.is_bound and form.is_valid():
            start, hours = form.cleaned_data["start"], form.cleaned_data["hours"]
        else:
            start, hours = PREVIEW_START, PREVIEW_HOURS
            if not form.is_bound:
                form = PreviewForm(initial={"start": start, "hours": hours})
        if not form.is_bound or form.is_valid():
            try:
                preview = selectors.preview_due(calendar, start, hours)
            except DomainError as exc:
                messages.error(request, exc.message)
        days = [
            {
                "day": day.day,
                "kind": day.kind.value,
                "kind_label": DAY_KINDS[day.kind],
                "note": holiday_name(day.note),
                "estimated": day.estimated,
                "hours": ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in day.intervals) or "—",
            }
            for day in (preview.days if preview else [])
        ]
        context = {
            **self.admin_site.each_context(request),
            "days": days,
            "opts": self.opts,
            "title": _("到期时间预览：%(name)s") % {"name": calendar.name},
            "calendar": calendar,
            "form": form,
            "preview": preview,
            "target_text": duration_text(preview.target) if preview else "",
            "calendar_time_text": duration_text(preview.calendar_time) if preview else "",
        }
        return TemplateResponse(request, "admin/sla/businesscalendar/preview.html", context)


class PreviewForm(forms.Form):
    start = forms.DateTimeField(
        label=_("受理时间（日历所在时区）"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    hours = forms.DecimalField(
        label=_("时限（工作小时）"),
        min_value=Decimal(0),
        max_value=Decimal(10000),
        decimal_places=2,
    )

    def clean_start(self) -> dt.datetime:
        # Read as wall-clock time in the calendar's zone, whatever the site's zone is.
        value: dt.datetime = self.cleaned_data["start"]
        return value.replace(tzinfo=None)


# Policies and calendar assignments (kefu/sla/policy_admin.py) register themselves here.
from kefu.sla import policy_admin  # noqa: E402,F401
