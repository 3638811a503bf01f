"""Writes for business calendars. Administrators only; nothing is recorded on cases.

Each change bumps the calendar's version under a row lock, so the clocks computed on an
older version can be found and recomputed (a later step of issue 4).
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import IntegrityError, transaction

from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, PermissionDenied, StaleVersion, ValidationFailed
from kefu.sla import business_time as bt
from kefu.sla.models import BusinessCalendar, Closure, ExtraWorkday, WorkingPeriod


class WeeklyPeriod(NamedTuple):
    weekday: int  # 0 Monday … 6 Sunday
    start: dt.time
    end: dt.time  # 00:00 = midnight at the end of the day


class ClosureInput(NamedTuple):
    """Whole local days (first_day..last_day) or an exact interval (starts_at..ends_at)."""

    first_day: dt.date | None = None
    last_day: dt.date | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    reason: str = ""


class ExtraWorkdayInput(NamedTuple):
    day: dt.date
    reason: str = ""


# --- validation (also used by the admin forms) ------------------------------------------


def ensure_may_manage_calendars(actor: Actor) -> None:
    if not (actor.is_staff and actor.user is not None and actor.user.role == Role.ADMIN):
        raise PermissionDenied("only administrators may change business calendars")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(name: str) -> str:
    return "" if name in _zones() else f"unknown time zone '{name}'"


def region_problem(region: str) -> str:
    if bt.region_is_supported(region):
        return ""
    return f"unknown holiday region '{region}' (CN, a country code such as DE, or DE-BY)"


def period_problems(periods: Iterable[WeeklyPeriod]) -> dict[int, list[str]]:
    """Per weekday: start before end (end 00:00 = midnight), no two periods overlapping."""
    by_day: dict[int, list[bt.Period]] = {}
    problems: dict[int, list[str]] = {}
    for p in periods:
        if not 0 <= p.weekday <= 6:
            problems.setdefault(p.weekday, []).append("weekday is 0 (Monday) to 6 (Sunday)")
            continue
        by_day.setdefault(p.weekday, []).append(bt.Period(p.start, p.end))
    for weekday, day_periods in by_day.items():
        found = bt.check_periods(day_periods)
        if found:
            problems.setdefault(weekday, []).extend(found)
    return problems


def closure_problem(closure: ClosureInput) -> str:
    days = closure.first_day is not None or closure.last_day is not None
    moments = closure.starts_at is not None or closure.ends_at is not None
    if days == moments:
        return "give either whole days (first and last day) or an interval (start and end)"
    if days:
        if closure.first_day is None or closure.last_day is None:
            return "give both the first and the last day"
        if closure.first_day > closure.last_day:
            return "the first day must not be after the last day"
        return ""
    if closure.starts_at is None or closure.ends_at is None:
        return "give both the start and the end"
    if closure.starts_at.tzinfo is None or closure.ends_at.tzinfo is None:
        return "the start and end need a time zone"
    if closure.starts_at >= closure.ends_at:
        return "the start must be before the end"
    return ""


def _check_calendar_fields(
    *,
    code: str | None,
    name: str | None,
    time_zone: str | None,
    region: str | None,
    makeup_weekday: int | None,
) -> None:
    errors: dict[str, str] = {}
    if code is not None and not code.strip():
        errors["code"] = "required"
    if name is not None and not name.strip():
        errors["name"] = "required"
    if time_zone is not None and (problem := time_zone_problem(time_zone)):
        errors["time_zone"] = problem
    if region is not None and (problem := region_problem(region)):
        errors["region"] = problem
    if makeup_weekday is not None and not 0 <= makeup_weekday <= 6:
        errors["makeup_weekday"] = "0 (Monday) to 6 (Sunday)"
    if errors:
        raise ValidationFailed("invalid business calendar", fields=errors)


def _check_periods(periods: Sequence[WeeklyPeriod]) -> None:
    problems = period_problems(periods)
    if problems:
        raise ValidationFailed(
            "working periods overlap or end before they start",
            fields={f"periods.{day}": "; ".join(found) for day, found in problems.items()},
        )


def _lock(calendar: BusinessCalendar, expected_version: int | None = None) -> BusinessCalendar:
    locked = BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    if locked is None:
        raise NotFound("business calendar not found")
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersion(
            f"the calendar was changed by someone else (you have version {expected_version}, "
            f"it is now version {locked.version})",
            fields={"version": str(locked.version)},
        )
    return locked


def _bump(calendar: BusinessCalendar, fields: Iterable[str] = ()) -> None:
    calendar.version += 1
    calendar.updated_at = clock.now()
    calendar.save(update_fields=[*fields, "version", "updated_at"])


# --- calendars --------------------------------------------------------------------------


def create_calendar(
    *,
    actor: Actor,
    code: str,
    name: str,
    time_zone: str = "Asia/Shanghai",
    region: str = "CN",
    is_24x7: bool = False,
    makeup_weekday: int = 0,
    periods: Sequence[WeeklyPeriod] = (),
) -> BusinessCalendar:
    """A new calendar with its weekly working periods."""
    ensure_may_manage_calendars(actor)
    code, name, region = code.strip(), name.strip(), region.strip().upper()
    _check_calendar_fields(
        code=code, name=name, time_zone=time_zone, region=region, makeup_weekday=makeup_weekday
    )
    periods = [WeeklyPeriod(*p) for p in periods]
    _check_periods(periods)
    try:
        with transaction.atomic():
            calendar = BusinessCalendar.objects.create(
                code=code,
                name=name,
                time_zone=time_zone,
                region=region,
                is_24x7=is_24x7,
                makeup_weekday=makeup_weekday,
                updated_at=clock.now(),
            )
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(calendar=calendar, weekday=p.weekday, start=p.start, end=p.end)
                for p in periods
            )
    except IntegrityError as exc:
        raise Conflict(
            "a calendar with this code or name already exists",
            fields={"code": code, "name": name},
        ) from exc
    return calendar


@transaction.atomic
def update_calendar(
    calendar: BusinessCalendar,
    *,
    actor: Actor,
    name: str | None = None,
    time_zone: str | None = None,
    region: str | None = None,
    is_24x7: bool | None = None,
    makeup_weekday: int | None = None,
    periods: Sequence[WeeklyPeriod] | None = None,
    expected_version: int | None = None,
) -> BusinessCalendar:
    """Change the fields given (None leaves a field as it is); `periods` replaces them all."""
    ensure_may_manage_calendars(actor)
    name = name.strip() if name is not None else None
    region = region.strip().upper() if region is not None else None
    _check_calendar_fields(
        code=None, name=name, time_zone=time_zone, region=region, makeup_weekday=makeup_weekday
    )
    calendar = _lock(calendar, expected_version)
    wanted = {
        "name": name,
        "time_zone": time_zone,
        "region": region,
        "is_24x7": is_24x7,
        "makeup_weekday": makeup_weekday,
    }
    changed = [f for f, v in wanted.items() if v is not None and getattr(calendar, f) != v]
    for field in changed:
        setattr(calendar, field, wanted[field])
    periods_changed = periods is not None and _replace_periods(calendar, periods)
    if changed or periods_changed:
        try:
            with transaction.atomic():
                _bump(calendar, changed)
        except IntegrityError as exc:
            raise Conflict(
                "a calendar with this name already exists", fields={"name": name or ""}
            ) from exc
    return calendar


def _replace_periods(calendar: BusinessCalendar, periods: Sequence[WeeklyPeriod]) -> bool:
    wanted = sorted(WeeklyPeriod(*p) for p in periods)
    _check_periods(wanted)
    current = sorted(
        WeeklyPeriod(*row)
        for row in calendar.periods.values_list("weekday", "start", "end")  # type: ignore[attr-defined]
    )
    if current == wanted:
        return False
    WorkingPeriod.objects.filter(calendar=calendar).delete()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(calendar=calendar, weekday=p.weekday, start=p.start, end=p.end)
        for p in wanted
    )
    return True


@transaction.atomic
def set_working_periods(
    calendar: BusinessCalendar, periods: Sequence[WeeklyPeriod], *, actor: Actor
) -> BusinessCalendar:
    """Replace the calendar's weekly working periods."""
    return update_calendar(calendar, actor=actor, periods=periods)


# --- closures and extra working days ----------------------------------------------------


def _closure_key(c: ClosureInput) -> str:
    def utc(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(dt.UTC) if moment is not None else None

    return repr((c.first_day, c.last_day, utc(c.starts_at), utc(c.ends_at), c.reason.strip()))


@transaction.atomic
def add_closure(calendar: BusinessCalendar, closure: ClosureInput, *, actor: Actor) -> Closure:
    ensure_may_manage_calendars(actor)
    if problem := closure_problem(closure):
        raise ValidationFailed(problem, fields={"closure": problem})
    calendar = _lock(calendar)
    created = Closure.objects.create(
        calendar=calendar,
        first_day=closure.first_day,
        last_day=closure.last_day,
        starts_at=closure.starts_at,
        ends_at=closure.ends_at,
        reason=closure.reason.strip(),
    )
    _bump(calendar)
    return created


@transaction.atomic
def set_closures(
    calendar: BusinessCalendar, closures: Sequence[ClosureInput], *, actor: Actor
) -> BusinessCalendar:
    """Replace the calendar's closures (nothing changes when they are the same)."""
    ensure_may_manage_calendars(actor)
    wanted = [ClosureInput(*c) for c in closures]
    errors = {f"closures.{i}": p for i, c in enumerate(wanted) if (p := closure_problem(c))}
    if errors:
        raise ValidationFailed("invalid closures", fields=errors)
    calendar = _lock(calendar)
    current = Closure.objects.filter(calendar=calendar)
    have = sorted(
        _closure_key(ClosureInput(c.first_day, c.last_day, c.starts_at, c.ends_at, c.reason))
        for c in current
    )
    if have == sorted(_closure_key(c) for c in wanted):
        return calendar
    current.delete()
    Closure.objects.bulk_create(
        Closure(
            calendar=calendar,
            first_day=c.first_day,
            last_day=c.last_day,
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            reason=c.reason.strip(),
        )
        for c in wanted
    )
    _bump(calendar)
    return calendar


@transaction.atomic
def remove_closure(closure: Closure, *, actor: Actor) -> None:
    ensure_may_manage_calendars(actor)
    calendar = _lock(closure.calendar)
    deleted, _ = Closure.objects.filter(pk=closure.pk, calendar=calendar).delete()
    if deleted:
        _bump(calendar)


@transaction.atomic
def add_extra_workday(
    calendar: BusinessCalendar, day: dt.date, *, actor: Actor, reason: str = ""
) -> ExtraWorkday:
    ensure_may_manage_calendars(actor)
    calendar = _lock(calendar)
    if ExtraWorkday.objects.filter(calendar=calendar, day=day).exists():
        raise Conflict(f"{day} is already an extra working day", fields={"day": str(day)})
    created = ExtraWorkday.objects.create(calendar=calendar, day=day, reason=reason.strip())
    _bump(calendar)
    return created


@transaction.atomic
def set_extra_workdays(
    calendar: BusinessCalendar, workdays: Sequence[ExtraWorkdayInput], *, actor: Actor
) -> BusinessCalendar:
    """Replace the calendar's extra working days (nothing changes when they are the same)."""
    ensure_may_manage_calendars(actor)
    wanted = {w.day: w.reason.strip() for w in (ExtraWorkdayInput(*w) for w in workdays)}
    if len(wanted) != len(workdays):
        raise ValidationFailed("a day is listed twice", fields={"day": "duplicate"})
    calendar = _lock(calendar)
    current = dict(ExtraWorkday.objects.filter(calendar=calendar).values_list("day", "reason"))
    if current == wanted:
        return calendar
    ExtraWorkday.objects.filter(calendar=calendar).delete()
    ExtraWorkday.objects.bulk_create(
        ExtraWorkday(calendar=calendar, day=day, reason=reason) for day, reason in wanted.items()
    )
    _bump(calendar)
    return calendar


@transaction.atomic
def remove_extra_workday(extra: ExtraWorkday, *, actor: Actor) -> None:
    ensure_may_manage_calendars(actor)
    calendar = _lock(extra.calendar)
    deleted, _ = ExtraWorkday.objects.filter(pk=extra.pk, calendar=calendar).delete()
    if deleted:
        _bump(calendar)
