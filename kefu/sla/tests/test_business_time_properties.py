"""Properties of business-time arithmetic, checked by hypothesis over several calendars.

Start times span 2024-2027: mainland holidays and 调休 from chinese-calendar, its data end
(2026) and the estimate beyond it, month and year ends, and Berlin's daylight saving.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kefu.sla.business_time import (
    CalendarSpec,
    DateRange,
    DayKind,
    Interval,
    add_business_time,
    business_time_between,
    describe_day,
    is_open,
    subtract_business_time,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC

MAINLAND = CalendarSpec.weekly(
    "Asia/Shanghai",
    [(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18))],
    region="CN",
    name="mainland",
)
BERLIN_OFFICE = CalendarSpec.weekly(
    "Europe/Berlin",
    [(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17, 30))],
    region="DE",
    name="berlin",
)
# Open at night across the DST changes (Sunday 01:00-04:00) and until midnight on Saturdays.
BERLIN_NIGHTS = CalendarSpec(
    time_zone=BERLIN,
    week=((), (), (), (), (), ((dt.time(18), dt.time(0)),), ((dt.time(1), dt.time(4)),)),
    name="berlin-nights",
)
CLOSURES = (
    Interval(
        dt.datetime(2025, 9, 29, 10, 15, tzinfo=SHANGHAI),
        dt.datetime(2025, 9, 29, 16, tzinfo=SHANGHAI),
    ),
    Interval(
        dt.datetime(2025, 12, 31, 15, tzinfo=SHANGHAI),
        dt.datetime(2026, 1, 5, 11, tzinfo=SHANGHAI),
    ),
)
CLOSED_DAYS = (DateRange(dt.date(2025, 2, 27), dt.date(2025, 3, 3), "盘点"),)
HALL = CalendarSpec(
    time_zone=SHANGHAI,
    week=(
        *([((dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))] * 5),
        ((dt.time(9), dt.time(12)),),
        (),
    ),
    region="CN",
    closed_days=CLOSED_DAYS,
    closed_intervals=CLOSURES,
    extra_workdays=frozenset({dt.date(2025, 10, 5), dt.date(2025, 10, 12)}),
    name="hall-with-closures",
)
ALWAYS = CalendarSpec.around_the_clock("Europe/Berlin")
CALENDARS = [MAINLAND, BERLIN_OFFICE, BERLIN_NIGHTS, HALL, ALWAYS]

# Starts as UTC instants (comparing two datetimes that share a zone would compare wall
# clocks); shown to the functions in a mix of zones.
instants = st.datetimes(min_value=dt.datetime(2024, 12, 1), max_value=dt.datetime(2027, 2, 28)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
zones = st.sampled_from([UTC, SHANGHAI, BERLIN])
durations = st.integers(min_value=0, max_value=120 * 3600).map(lambda s: dt.timedelta(seconds=s))
calendars = st.sampled_from(CALENDARS)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _is_interval_end(spec: CalendarSpec, moment: dt.datetime) -> bool:
    day = spec.local(moment).date()
    return any(
        end == moment
        for d in (day - dt.timedelta(days=1), day)
        for _start, end in describe_day(spec, d).intervals
    )


@PROPERTY
@given(spec=calendars, start=instants, zone=zones, duration=durations)
@example(
    spec=MAINLAND,
    start=dt.datetime(2025, 9, 30, 9, 50, tzinfo=UTC),
    zone=SHANGHAI,
    duration=dt.timedelta(hours=4),
)
def test_adding_then_measuring_round_trips(spec, start, zone, duration):
    due = add_business_time(spec, start.astimezone(zone), duration)
    assert business_time_between(spec, start, due) == duration
    assert due.tzinfo == spec.time_zone


@PROPERTY
@given(spec=calendars, start=instants, duration=durations)
def test_subtracting_undoes_adding_up_to_the_next_open_moment(spec, start, duration):
    due = add_business_time(spec, start, duration)
    back = subtract_business_time(spec, due, duration)
    assert back <= start or business_time_between(spec, start, back) == dt.timedelta(0)
    assert business_time_between(spec, back, due) == duration


@PROPERTY
@given(spec=calendars, a=instants, b=instants, duration=durations)
def test_due_time_is_monotonic_in_the_start(spec, a, b, duration):
    early, late = sorted((a, b))
    assert add_business_time(spec, early, duration) <= add_business_time(spec, late, duration)


@PROPERTY
@given(spec=calendars, a=instants, b=instants, c=instants)
def test_elapsed_business_time_adds_up(spec, a, b, c):
    first, middle, last = sorted((a, b, c))
    assert business_time_between(spec, first, middle) + business_time_between(
        spec, middle, last
    ) == business_time_between(spec, first, last)
    assert business_time_between(spec, first, last) <= last - first


@PROPERTY
@given(spec=calendars, start=instants, duration=durations)
def test_a_due_time_is_open_or_exactly_at_an_interval_end(spec, start, duration):
    due = add_business_time(spec, start, duration)
    if duration == dt.timedelta(0):
        assert is_open(spec, due)
        return
    assert is_open(spec, due) or _is_interval_end(spec, due)


@PROPERTY
@given(start=instants, duration=durations.filter(lambda d: d > dt.timedelta(0)))
def test_a_due_time_never_lands_inside_a_closure_or_on_a_closed_day(start, duration):
    due = add_business_time(HALL, start, duration)
    for closure in CLOSURES:
        assert not closure.start < due < closure.end
    local_day = HALL.local(due).date()
    assert all(not r.first <= local_day <= r.last for r in CLOSED_DAYS) or _is_interval_end(
        HALL, due
    )
    assert describe_day(HALL, local_day).kind not in (DayKind.HOLIDAY, DayKind.CLOSED) or (
        _is_interval_end(HALL, due)
    )


@PROPERTY
@given(start=instants, duration=durations)
def test_the_mainland_calendar_never_counts_holidays_or_weekends_off(start, duration):
    due = add_business_time(MAINLAND, start, duration)
    # Every open moment counted lies on a working day: 调休 weekends count, holidays do not.
    day = MAINLAND.local(start).date()
    while day <= MAINLAND.local(due).date():
        info = describe_day(MAINLAND, day)
        if info.intervals:
            assert info.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)
            assert day.weekday() < 5 or info.kind == DayKind.MAKEUP_WORKDAY
        else:
            assert info.kind in (DayKind.HOLIDAY, DayKind.REST_DAY)
        day += dt.timedelta(days=1)


@PROPERTY
@given(start=instants, duration=durations)
def test_around_the_clock_is_plain_addition_in_real_time(start, duration):
    assert add_business_time(ALWAYS, start, duration) == start + duration
    assert business_time_between(ALWAYS, start, start + duration) == duration


@PROPERTY
@given(
    local=st.datetimes(min_value=dt.datetime(2025, 3, 28), max_value=dt.datetime(2025, 4, 1))
    | st.datetimes(min_value=dt.datetime(2025, 10, 24), max_value=dt.datetime(2025, 10, 28)),
    fold=st.sampled_from([0, 1]),
    duration=durations,
)
def test_round_trip_holds_for_local_times_around_daylight_saving_changes(local, fold, duration):
    # Local wall-clock times, including skipped (imaginary) and repeated (ambiguous) ones.
    start = local.replace(tzinfo=BERLIN, fold=fold)
    for spec in (BERLIN_OFFICE, BERLIN_NIGHTS):
        due = add_business_time(spec, start, duration)
        assert business_time_between(spec, start, due) == duration
