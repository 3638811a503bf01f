"""Properties of business-time arithmetic, checked by hypothesis over several calendars.

Start times span 2024-2027: mainland holidays and 调休 from chinese-calendar, its data end
(2026) and the estimate beyond it, month and year ends, and Berlin's daylight saving.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from kefu.sla.business_time import (
    CalendarSpec,
    DateRange,
    DayKind,
    Interval,
    Period,
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
    week=(
        (),
        (),
        (),
        (),
        (),
        (Period(dt.time(18), dt.time(0)),),
        (Period(dt.time(1), dt.time(4)),),
    ),
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
        *([(Period(dt.time(8, 30), dt.time(12)), Period(dt.time(13, 30), dt.time(17, 30)))] * 5),
        (Period(dt.time(9), dt.time(12)),),
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

# Days where things happen: National Day 2025 and its 调休 Sunday and Saturday, New Year
# 2026 and its 调休 Sunday, Spring Festival 2026, Berlin's DST changes, the closures, the end
# of chinese-calendar's data, month ends.
INTERESTING = [
    dt.date(2025, 9, 28),
    dt.date(2025, 10, 1),
    dt.date(2025, 10, 11),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 4),
    dt.date(2026, 2, 15),
    dt.date(2025, 3, 30),
    dt.date(2025, 10, 26),
    dt.date(2025, 9, 29),
    dt.date(2025, 3, 1),
    dt.date(2026, 12, 31),
    dt.date(2025, 4, 30),
]


def _near(day: dt.date) -> st.SearchStrategy[dt.datetime]:
    middle = dt.datetime.combine(day, dt.time(), tzinfo=UTC)
    return st.integers(min_value=-4 * 86400, max_value=4 * 86400).map(
        lambda s: middle + dt.timedelta(seconds=s)
    )


# Starts as UTC instants (comparing two datetimes that share a zone would compare wall
# clocks); shown to the functions in a mix of zones. Half land near an interesting day.
anywhere = st.datetimes(min_value=dt.datetime(2024, 12, 1), max_value=dt.datetime(2027, 2, 28))
instants = st.one_of(
    anywhere.map(lambda naive: naive.replace(tzinfo=UTC)),
    st.sampled_from(INTERESTING).flatmap(_near),
)
zones = st.sampled_from([UTC, SHANGHAI, BERLIN])
durations = st.integers(min_value=0, max_value=120 * 3600).map(lambda s: dt.timedelta(seconds=s))
# Drawn by name: hypothesis would print a spec's whole day cache when a test fails.
BY_NAME = {spec.name: spec for spec in CALENDARS}
calendars = st.sampled_from(sorted(BY_NAME)).map(BY_NAME.__getitem__)

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
    assert due.tzinfo is UTC


@PROPERTY
@given(spec=calendars, start=instants, duration=durations)
def test_subtracting_undoes_adding_up_to_the_next_open_moment(spec, start, duration):
    due = add_business_time(spec, start, duration)
    back = subtract_business_time(spec, due, duration)
    assert back <= start or business_time_between(spec, start, back) == dt.timedelta(0)
    assert business_time_between(spec, back, due) == duration


@PROPERTY
@given(spec=calendars, start=instants, first=durations, then=durations)
def test_adding_in_two_steps_is_adding_at_once(spec, start, first, then):
    # (a clock's due time is counted on from its warning time)
    assume(then > dt.timedelta(0))
    step = add_business_time(spec, start, first)
    assert add_business_time(spec, step, then) == add_business_time(spec, start, first + then)


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


# --- against independent oracles, minute by minute ---------------------------------------
# Each oracle says whether one UTC minute is open, straight from the definition (for the
# mainland: chinese_calendar.is_workday and the wall clock), sharing no code with the
# arithmetic. Every boundary is on a whole minute, so counting open minutes measures time.


def _mainland_open(moment: dt.datetime) -> bool:
    local = moment.astimezone(SHANGHAI)
    clock = local.time()
    return chinese_calendar.is_workday(local.date()) and (
        dt.time(9) <= clock < dt.time(12) or dt.time(13, 30) <= clock < dt.time(18)
    )


def _berlin_nights_open(moment: dt.datetime) -> bool:
    local = moment.astimezone(BERLIN)
    weekday, hour = local.weekday(), local.hour
    return (weekday == 5 and hour >= 18) or (weekday == 6 and 1 <= hour < 4)


def _hall_open(moment: dt.datetime) -> bool:
    local = moment.astimezone(SHANGHAI)
    day, clock = local.date(), local.time()
    if any(c.start <= moment < c.end for c in CLOSURES):
        return False
    if any(r.first <= day <= r.last for r in CLOSED_DAYS):
        return False
    statutory = chinese_calendar.get_holiday_detail(day)
    on_holiday = statutory[0] and statutory[1] is not None
    makeup = not statutory[0] and statutory[1] is not None
    weekday = day.weekday()
    if day in HALL.extra_workdays or makeup:
        weekday = weekday if weekday < 6 else 0  # Sunday has no hours: Monday's
    elif on_holiday or weekday == 6:
        return False
    if weekday == 5:
        return dt.time(9) <= clock < dt.time(12)
    return dt.time(8, 30) <= clock < dt.time(12) or dt.time(13, 30) <= clock < dt.time(17, 30)


ORACLES = {
    "mainland": (MAINLAND, _mainland_open),
    "berlin-nights": (BERLIN_NIGHTS, _berlin_nights_open),
    "hall-with-closures": (HALL, _hall_open),
}
oracles = st.sampled_from(sorted(ORACLES)).map(ORACLES.__getitem__)
# chinese_calendar (the oracle) has no data after 2026.
oracle_minutes = (
    st.sampled_from([d for d in INTERESTING if d.year < 2026 or d.month < 12])
    .flatmap(_near)
    .map(lambda moment: moment.replace(second=0, microsecond=0))
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=oracles,
    start=oracle_minutes,
    length=st.integers(min_value=0, max_value=36 * 60),
)
def test_elapsed_business_time_matches_the_oracle_minute_by_minute(pair, start, length):
    spec, oracle = pair
    end = start + dt.timedelta(minutes=length)
    open_minutes = sum(oracle(start + dt.timedelta(minutes=n)) for n in range(length))
    assert business_time_between(spec, start, end) == dt.timedelta(minutes=open_minutes)
    assert is_open(spec, start) == oracle(start)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=oracles,
    start=oracle_minutes,
    target=st.integers(min_value=1, max_value=12 * 60),
)
def test_due_time_matches_the_oracle_minute_by_minute(pair, start, target):
    spec, oracle = pair
    moment, counted = start, 0
    while counted < target:
        counted += oracle(moment)
        moment += dt.timedelta(minutes=1)
    # The oracle's due minute is the end of the target-th open minute.
    assert add_business_time(spec, start, dt.timedelta(minutes=target)) == moment
