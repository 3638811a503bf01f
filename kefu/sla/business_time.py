"""Business-time arithmetic over a business calendar. Pure functions: no ORM, no clock.

A calendar (`CalendarSpec`) says when a service centre is open: working periods per weekday
(several a day leave breaks, e.g. lunch), a time zone, a holiday region and custom closures
and extra working days on top. Business time is real elapsed time while open: every sum and
difference is computed on UTC instants, so a working hour is sixty real minutes even on the
day a zone with daylight saving changes its clocks.

Datetimes in may be in any zone (never naive); datetimes out are in UTC. Convert with
`spec.local()` to show them: a local datetime in a repeated (autumn) hour never compares
equal to a datetime in another zone (PEP 495), a trap for the code that compares due times.

The arithmetic walks day by day (never minute by minute) and each spec caches the open
intervals of the days it has seen, so adding 30 business days looks at about 45 days.
See docs/adr/0004-business-time.md.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

UTC = dt.UTC
MIDNIGHT = dt.time(0, 0)
ZERO = dt.timedelta(0)
ONE_DAY = dt.timedelta(days=1)
# A calendar closed this many days in a row is taken to be closed for good.
MAX_CLOSED_DAYS = 3 * 366

MAINLAND_CHINA = "CN"
# The years chinese-calendar has the State Council's published schedule for (1.11.0:
# 2004-2026). Outside them mainland days come from the `holidays` package: statutory days
# and their usual 补假, but no 调休 working weekends, which are announced year by year.
CHINESE_CALENDAR_YEARS = range(
    min(d.year for d in chinese_calendar.holidays),
    max(d.year for d in chinese_calendar.holidays) + 1,
)


class CalendarNeverOpens(ValueError):
    """The calendar has no open time left to count (e.g. no working periods at all)."""


class DayKind(enum.StrEnum):
    WORKDAY = "workday"  # an ordinary day with its weekday's hours
    REST_DAY = "rest_day"  # an ordinary day without hours (usually the weekend)
    HOLIDAY = "holiday"  # a public holiday of the region (for CN: statutory, incl. 补假/调休)
    MAKEUP_WORKDAY = "makeup_workday"  # an adjusted working day (调休上班) of the region
    EXTRA_WORKDAY = "extra_workday"  # a working day the calendar's owner added
    CLOSED = "closed"  # a custom closure covering the whole day
    ALWAYS_OPEN = "always_open"  # a 24×7 calendar


class Period(NamedTuple):
    """Local wall-clock hours. `end` 00:00 means midnight at the end of the day."""

    start: dt.time
    end: dt.time


class Interval(NamedTuple):
    """An open stretch [start, end): aware datetimes."""

    start: dt.datetime
    end: dt.datetime


class DateRange(NamedTuple):
    """Whole local days, `first` to `last` inclusive."""

    first: dt.date
    last: dt.date
    reason: str = ""


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    kind: DayKind
    intervals: tuple[Interval, ...]
    note: str = ""  # the holiday's or closure's name
    estimated: bool = False  # CN day outside chinese-calendar's years: 调休 unknown
    # The same intervals in UTC, for arithmetic: two aware datetimes sharing a zone subtract
    # and compare by wall clock in Python, which is wrong across a DST change.
    utc: tuple[Interval, ...] = field(default=(), repr=False, compare=False)


def _period_end(day: dt.date, period: Period) -> dt.date:
    return day + ONE_DAY if period.end == MIDNIGHT else day


def check_periods(periods: Iterable[Period | tuple[dt.time, dt.time]]) -> list[str]:
    """Problems with one weekday's periods (empty list when fine): start before end, no overlap.

    Used by the calendar actions and forms so that a spec built from the database is valid.
    """
    problems: list[str] = []
    ordered = sorted(Period(*p) for p in periods)
    for p in ordered:
        if p.end != MIDNIGHT and p.start >= p.end:
            problems.append(f"{p.start:%H:%M}-{p.end:%H:%M}: start must be before end")
    for a, b in itertools.pairwise(ordered):
        if a.end == MIDNIGHT or b.start < a.end:
            problems.append(f"{a.start:%H:%M}-{a.end:%H:%M} overlaps {b.start:%H:%M}-{b.end:%H:%M}")
    return problems


@dataclass(frozen=True, eq=False)
class CalendarSpec:
    """A business calendar, as plain data.

    `week` has seven entries, Monday first, each the day's working periods. `region` is "" (no
    public holidays), "CN" (mainland China: chinese-calendar, with 调休) or any country code
    the `holidays` package knows, optionally with a subdivision ("DE-BY"). Adjusted and extra
    working days keep the hours of `makeup_weekday` (default Monday). Closures win over every
    kind of working day. A spec caches its days: build a new one when the calendar changes.
    """

    time_zone: ZoneInfo
    week: tuple[tuple[Period, ...], ...] = ((),) * 7
    region: str = ""
    closed_days: tuple[DateRange, ...] = ()
    closed_intervals: tuple[Interval, ...] = ()
    extra_workdays: frozenset[dt.date] = frozenset()
    makeup_weekday: int = 0
    always_open: bool = False
    name: str = ""
    _days: dict[dt.date, DayInfo] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week needs seven entries, Monday first")
        week = tuple(tuple(sorted(Period(*p) for p in day)) for day in self.week)
        object.__setattr__(self, "week", week)
        for weekday, periods in enumerate(week):
            problems = check_periods(periods)
            if problems:
                raise ValueError(f"weekday {weekday}: {'; '.join(problems)}")
        if not 0 <= self.makeup_weekday <= 6:
            raise ValueError("makeup_weekday is 0 (Monday) to 6 (Sunday)")
        for interval in self.closed_intervals:
            if interval.start.tzinfo is None or interval.end.tzinfo is None:
                raise ValueError("closed intervals need aware datetimes")
        object.__setattr__(
            self,
            "closed_intervals",
            tuple(
                sorted(
                    Interval(i.start.astimezone(UTC), i.end.astimezone(UTC))
                    for i in self.closed_intervals
                    if i.start < i.end
                )
            ),
        )

    @classmethod
    def around_the_clock(cls, time_zone: str | ZoneInfo = "Asia/Shanghai") -> CalendarSpec:
        """A 24×7 calendar: business time is calendar time."""
        zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
        return cls(time_zone=zone, always_open=True, name="24×7")

    @classmethod
    def weekly(
        cls,
        time_zone: str | ZoneInfo,
        periods: Sequence[Period | tuple[dt.time, dt.time]],
        *,
        weekdays: Iterable[int] = range(5),
        **kwargs: Any,
    ) -> CalendarSpec:
        """The same periods on each of `weekdays` (default Monday to Friday)."""
        zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
        same = tuple(Period(*p) for p in periods)
        chosen = set(weekdays)
        week = tuple(same if d in chosen else () for d in range(7))
        return cls(time_zone=zone, week=week, **kwargs)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return _aware(moment).astimezone(self.time_zone)


# --- holidays --------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _holidays_for(region: str) -> holidays.HolidayBase:
    country, _, subdiv = region.partition("-")
    return holidays.country_holidays(country, subdiv=subdiv or None)


def region_is_supported(region: str) -> bool:
    if region in ("", MAINLAND_CHINA):
        return True
    country, _, subdiv = region.partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported:
        return False
    return not subdiv or subdiv in supported[country]


@functools.lru_cache(maxsize=8192)
def region_day(region: str, day: dt.date) -> tuple[DayKind | None, str, bool]:
    """What a region says of a day: HOLIDAY, MAKEUP_WORKDAY or None; its name; estimated."""
    if not region:
        return None, "", False
    if region == MAINLAND_CHINA and day.year in CHINESE_CALENDAR_YEARS:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if name is None:  # an ordinary weekday or weekend
            return None, "", False
        if on_holiday:
            return DayKind.HOLIDAY, str(name), False
        return DayKind.MAKEUP_WORKDAY, str(name), False
    table = _holidays_for(region)
    name = table.get(day)
    estimated = region == MAINLAND_CHINA
    if name is not None:
        return DayKind.HOLIDAY, str(name), estimated
    if day in getattr(table, "weekend_workdays", ()):
        return DayKind.MAKEUP_WORKDAY, "", estimated
    return None, "", estimated


# --- days ------------------------------------------------------------------------------


def _aware(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; naive datetimes are refused."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC)


def _local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall-clock time. A time the clocks skip (spring forward)
    resolves to the instant they jumped; a time they repeat (fall back), to its first
    occurrence."""
    naive = dt.datetime.combine(day, at)
    first = naive.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # In the gap: fold=1 reads the time with the later offset, which lands before the jump.
    low, high = naive.replace(tzinfo=zone, fold=1).astimezone(UTC), first
    if low > high:
        low, high = high, low
    after = high.astimezone(zone).utcoffset()
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if high.microsecond else high


def _subtract(intervals: list[Interval], holes: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in intervals:
        pieces = [Interval(start, end)]
        for hole in holes:
            if hole.start >= end or hole.end <= start:
                continue
            next_pieces: list[Interval] = []
            for s, e in pieces:
                if hole.start > s:
                    next_pieces.append(Interval(s, min(e, hole.start)))
                if hole.end < e:
                    next_pieces.append(Interval(max(s, hole.end), e))
            pieces = [p for p in next_pieces if p.start < p.end]
        out.extend(pieces)
    return out


def describe_day(spec: CalendarSpec, day: dt.date) -> DayInfo:
    """The kind of a local day and its open intervals (aware, in the calendar's zone)."""
    cached = spec._days.get(day)
    if cached is not None:
        return cached
    info = _describe_day(spec, day)
    spec._days[day] = info
    return info


def _describe_day(spec: CalendarSpec, day: dt.date) -> DayInfo:
    zone = spec.time_zone
    if spec.always_open:
        start = _local_instant(day, MIDNIGHT, zone)
        end = _local_instant(day + ONE_DAY, MIDNIGHT, zone)
        whole = Interval(start.astimezone(zone), end.astimezone(zone))
        return DayInfo(day, DayKind.ALWAYS_OPEN, (whole,), utc=(Interval(start, end),))
    for closed in spec.closed_days:
        if closed.first <= day <= closed.last:
            return DayInfo(day, DayKind.CLOSED, (), note=closed.reason)
    periods = spec.week[day.weekday()]
    kind = DayKind.WORKDAY if periods else DayKind.REST_DAY
    region_kind, note, estimated = region_day(spec.region, day)
    if day in spec.extra_workdays:
        kind = DayKind.EXTRA_WORKDAY
    elif region_kind is DayKind.HOLIDAY:
        kind, periods = DayKind.HOLIDAY, ()
    elif region_kind is DayKind.MAKEUP_WORKDAY:
        kind = DayKind.MAKEUP_WORKDAY
    if kind in (DayKind.EXTRA_WORKDAY, DayKind.MAKEUP_WORKDAY) and not periods:
        periods = spec.week[spec.makeup_weekday] or next((p for p in spec.week if p), ())
    intervals = [
        Interval(
            _local_instant(day, p.start, zone),
            _local_instant(_period_end(day, p), p.end, zone),
        )
        for p in periods
    ]
    intervals = [i for i in intervals if i.start < i.end]
    if spec.closed_intervals:
        intervals = _subtract(intervals, spec.closed_intervals)
    local = tuple(Interval(s.astimezone(zone), e.astimezone(zone)) for s, e in intervals)
    return DayInfo(day, kind, local, note=note, estimated=estimated, utc=tuple(intervals))


def working_intervals(spec: CalendarSpec, day: dt.date) -> tuple[Interval, ...]:
    """The open intervals of a local day, in order, in the calendar's zone."""
    return describe_day(spec, day).intervals


def _utc_intervals(spec: CalendarSpec, day: dt.date) -> tuple[Interval, ...]:
    return describe_day(spec, day).utc


def _intervals_from(spec: CalendarSpec, moment: dt.datetime) -> Iterator[Interval]:
    """Open intervals (or their tails) at or after `moment`, in order, for ever."""
    day = spec.local(moment).date()
    closed_streak = 0
    while True:
        intervals = _utc_intervals(spec, day)
        closed_streak = 0 if intervals else closed_streak + 1
        if closed_streak > MAX_CLOSED_DAYS:
            raise CalendarNeverOpens(f"calendar {spec.name!r} is closed for {MAX_CLOSED_DAYS} days")
        for start, end in intervals:
            if end <= moment:
                continue
            yield Interval(max(start, moment), end)
        day += ONE_DAY


def _intervals_before(spec: CalendarSpec, moment: dt.datetime) -> Iterator[Interval]:
    """Open intervals (or their heads) before `moment`, latest first, for ever."""
    day = spec.local(moment).date()
    closed_streak = 0
    while True:
        intervals = _utc_intervals(spec, day)
        closed_streak = 0 if intervals else closed_streak + 1
        if closed_streak > MAX_CLOSED_DAYS:
            raise CalendarNeverOpens(f"calendar {spec.name!r} is closed for {MAX_CLOSED_DAYS} days")
        for start, end in reversed(intervals):
            if start >= moment:
                continue
            yield Interval(start, min(end, moment))
        day -= ONE_DAY


# --- the arithmetic ----------------------------------------------------------------------


def add_business_time(
    spec: CalendarSpec, start: dt.datetime, duration: dt.timedelta
) -> dt.datetime:
    """The moment (UTC) `duration` of business time after `start`: a due time.

    A due time that uses up an interval exactly is that interval's end (18:00, not 09:00 the
    next working day). A zero duration gives the next open moment. Negative durations count
    backwards (the latest moment with that much business time before `start`).
    """
    start = _aware(start)
    if spec.always_open:
        return start + duration
    if duration < ZERO:
        return subtract_business_time(spec, start, -duration)
    remaining = duration
    for begin, end in _intervals_from(spec, start):
        available = end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover


def subtract_business_time(
    spec: CalendarSpec, end: dt.datetime, duration: dt.timedelta
) -> dt.datetime:
    """The latest moment with `duration` of business time between it and `end`."""
    end = _aware(end)
    if spec.always_open:
        return end - duration
    if duration < ZERO:
        return add_business_time(spec, end, -duration)
    remaining = duration
    for begin, finish in _intervals_before(spec, end):
        available = finish - begin
        if remaining <= available:
            return finish - remaining
        remaining -= available
    raise AssertionError("unreachable: _intervals_before never ends")  # pragma: no cover


def business_time_between(spec: CalendarSpec, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Open time elapsed from `start` to `end` (negative when `end` is before `start`)."""
    start, end = _aware(start), _aware(end)
    if end < start:
        return -business_time_between(spec, end, start)
    if spec.always_open:
        return end.astimezone(UTC) - start.astimezone(UTC)
    total = ZERO
    day, last = spec.local(start).date(), spec.local(end).date()
    while day <= last:
        for begin, finish in _utc_intervals(spec, day):
            overlap = min(finish, end) - max(begin, start)
            if overlap > ZERO:
                total += overlap
        day += ONE_DAY
    return total


def is_open(spec: CalendarSpec, moment: dt.datetime) -> bool:
    """Whether `moment` is inside an open interval (start included, end excluded)."""
    moment = _aware(moment)
    if spec.always_open:
        return True
    day = spec.local(moment).date()
    return any(start <= moment < end for start, end in _utc_intervals(spec, day))


def next_open(spec: CalendarSpec, moment: dt.datetime) -> dt.datetime:
    """`moment` itself when open, else the start of the next open interval."""
    return add_business_time(spec, moment, ZERO)


def next_close(spec: CalendarSpec, moment: dt.datetime) -> dt.datetime:
    """The end of the open interval containing `moment`, or of the next one."""
    moment = _aware(moment)
    if spec.always_open:
        raise ValueError("a 24×7 calendar never closes")
    for _begin, end in _intervals_from(spec, moment):
        return end
    raise AssertionError("unreachable")  # pragma: no cover


def days(spec: CalendarSpec, first: dt.date, last: dt.date) -> list[DayInfo]:
    """Each local day from `first` to `last` inclusive, described."""
    out, day = [], first
    while day <= last:
        out.append(describe_day(spec, day))
        day += ONE_DAY
    return out
