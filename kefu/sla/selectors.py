"""Reads for business calendars: the calendar as a CalendarSpec, and the due-time preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast

from kefu.core.errors import NotFound, ValidationFailed
from kefu.sla import business_time as bt
from kefu.sla.models import BusinessCalendar, Closure, ExtraWorkday, WorkingPeriod

MAINLAND_CALENDAR = "cn-standard"
ALWAYS_OPEN_CALENDAR = "24x7"

_PERIOD, _CLOSURE, _EXTRA = "p", "c", "e"


def list_calendars() -> list[BusinessCalendar]:
    return list(BusinessCalendar.objects.order_by("code"))


def get_calendar(code: str) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(code=code).first()
    if calendar is None:
        raise NotFound(f"no business calendar '{code}'")
    return calendar


def default_calendar() -> BusinessCalendar:
    """The mainland standard calendar the data migration creates."""
    return get_calendar(MAINLAND_CALENDAR)


def _null(field: models.Field) -> Cast:
    # Typed NULLs: PostgreSQL cannot match an untyped NULL column across a three-way UNION.
    return Cast(Value(None), output_field=field)


def _rules(calendar_id: int) -> list[tuple]:
    """Periods, closures and extra working days of a calendar in one UNION ALL query.

    Columns: kind, weekday, start, end, first_day, last_day, starts_at, ends_at, reason.
    """
    time, date, moment, small = (
        models.TimeField(),
        models.DateField(),
        models.DateTimeField(),
        models.SmallIntegerField(),
    )
    columns = ("k", "w", "t1", "t2", "d1", "d2", "m1", "m2", "r")
    periods = (
        WorkingPeriod.objects.filter(calendar_id=calendar_id)
        .order_by()
        .annotate(
            k=Value(_PERIOD),
            w=Cast("weekday", small),
            t1=Cast("start", time),
            t2=Cast("end", time),
            d1=_null(date),
            d2=_null(date),
            m1=_null(moment),
            m2=_null(moment),
            r=Value(""),
        )
        .values_list(*columns)
    )
    closures = (
        Closure.objects.filter(calendar_id=calendar_id)
        .order_by()
        .annotate(
            k=Value(_CLOSURE),
            w=_null(small),
            t1=_null(time),
            t2=_null(time),
            d1=Cast("first_day", date),
            d2=Cast("last_day", date),
            m1=Cast("starts_at", moment),
            m2=Cast("ends_at", moment),
            r=Cast("reason", models.CharField()),
        )
        .values_list(*columns)
    )
    extra = (
        ExtraWorkday.objects.filter(calendar_id=calendar_id)
        .order_by()
        .annotate(
            k=Value(_EXTRA),
            w=_null(small),
            t1=_null(time),
            t2=_null(time),
            d1=Cast("day", date),
            d2=_null(date),
            m1=_null(moment),
            m2=_null(moment),
            r=Value(""),
        )
        .values_list(*columns)
    )
    return list(periods.union(closures, extra, all=True).order_by())


def to_spec(calendar: BusinessCalendar) -> bt.CalendarSpec:
    """The calendar as a CalendarSpec: one query for all its rules.

    Build one spec per calendar and reuse it for a batch of clocks: it caches its days.
    """
    zone = ZoneInfo(calendar.time_zone)
    if calendar.is_24x7:
        return bt.CalendarSpec(time_zone=zone, always_open=True, name=calendar.name)
    week: list[list[bt.Period]] = [[] for _ in range(7)]
    closed_days: list[bt.DateRange] = []
    closed_intervals: list[bt.Interval] = []
    extra: set[dt.date] = set()
    for row in _rules(calendar.pk):
        kind, weekday, start, end, first_day, last_day, starts_at, ends_at, reason = row
        if kind == _PERIOD:
            week[weekday].append(bt.Period(start, end))
        elif kind == _EXTRA:
            extra.add(first_day)
        elif first_day is not None:
            closed_days.append(bt.DateRange(first_day, last_day, reason))
        else:
            closed_intervals.append(bt.Interval(starts_at, ends_at))
    return bt.CalendarSpec(
        time_zone=zone,
        week=tuple(tuple(periods) for periods in week),
        region=calendar.region,
        closed_days=tuple(sorted(closed_days)),
        closed_intervals=tuple(closed_intervals),
        extra_workdays=frozenset(extra),
        makeup_weekday=calendar.makeup_weekday,
        name=calendar.name,
    )


def spec_for(calendar_id: int) -> bt.CalendarSpec:
    """Two queries: the calendar, then its rules."""
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(f"no business calendar {calendar_id}")
    return to_spec(calendar)


@dataclass(frozen=True)
class DuePreview:
    """When a target counted on a calendar from a start falls due, and the days it crosses."""

    calendar: str
    start: dt.datetime  # in the calendar's zone
    target: dt.timedelta  # business time
    due: dt.datetime  # in the calendar's zone
    calendar_time: dt.timedelta  # real time from start to due
    days: list[bt.DayInfo]

    @property
    def estimated(self) -> bool:
        """Some crossed day is beyond chinese-calendar's data: 调休 may be missing."""
        return any(day.estimated for day in self.days)


# Cases are opened now; a preview centuries away would answer in a zone's local mean time.
PREVIEW_YEARS = range(1970, 2101)


def preview_due(
    calendar: BusinessCalendar | bt.CalendarSpec,
    start: dt.datetime,
    hours: float | int | Decimal | dt.timedelta,
) -> DuePreview:
    """Answer "opened at `start` with an `hours` business-hour target: due when?".

    A naive `start` is read as wall-clock time in the calendar's zone.
    """
    spec = calendar if isinstance(calendar, bt.CalendarSpec) else to_spec(calendar)
    target = hours if isinstance(hours, dt.timedelta) else dt.timedelta(hours=float(hours))
    if target < dt.timedelta(0):
        raise ValidationFailed("the target must not be negative", fields={"hours": "≥ 0"})
    if start.year not in PREVIEW_YEARS:
        raise ValidationFailed(
            f"the start must fall in {PREVIEW_YEARS.start}–{PREVIEW_YEARS.stop - 1}",
            fields={"start": f"a year from {PREVIEW_YEARS.start} to {PREVIEW_YEARS.stop - 1}"},
        )
    if start.tzinfo is None:
        start = start.replace(tzinfo=spec.time_zone)
    start = spec.local(start)
    due = spec.local(bt.add_business_time(spec, start, target))
    return DuePreview(
        calendar=spec.name,
        start=start,
        target=target,
        due=due,
        calendar_time=due.astimezone(dt.UTC) - start.astimezone(dt.UTC),
        days=bt.days(spec, start.date(), due.date()),
    )
