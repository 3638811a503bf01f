"""Business-time arithmetic, exact examples worked out by hand. No database."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from kefu.sla import business_time as bt
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
    next_close,
    next_open,
    subtract_business_time,
    working_intervals,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
MAINLAND_HOURS = [(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18))]


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: ZoneInfo = SHANGHAI
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def mainland(**kwargs: Any) -> CalendarSpec:
    """The default calendar: Mon-Fri 09:00-12:00 and 13:30-18:00, mainland holidays."""
    return CalendarSpec.weekly("Asia/Shanghai", MAINLAND_HOURS, region="CN", **kwargs)


def berlin(**kwargs: Any) -> CalendarSpec:
    return CalendarSpec.weekly(
        "Europe/Berlin",
        [(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17, 30))],
        region="DE",
        **kwargs,
    )


# --- the chinese-calendar facts the examples rely on -----------------------------------


def test_chinese_calendar_knows_the_2025_national_day_schedule():
    assert chinese_calendar.is_workday(dt.date(2025, 9, 28))  # Sunday, 调休
    assert chinese_calendar.is_workday(dt.date(2025, 10, 11))  # Saturday, 调休
    assert [chinese_calendar.is_holiday(dt.date(2025, 10, d)) for d in range(1, 10)] == [
        True
    ] * 8 + [False]
    assert chinese_calendar.is_workday(dt.date(2022, 10, 8))  # Saturday, 调休
    assert list(bt.CHINESE_CALENDAR_YEARS) == list(range(2004, 2027))


# --- the National Day question ----------------------------------------------------------


def test_last_working_day_before_national_day_2025_plus_4_hours():
    # Tuesday 30 September 2025 17:50 (the last working day before the holiday; it was a
    # Tuesday, not a Friday): 10 min to 18:00; 1-8 October off; Thursday 9 October
    # 09:00-12:00 is 3 h (3 h 10 min in all); 13:30 + 50 min = 14:20.
    assert add_business_time(mainland(), at(2025, 9, 30, 17, 50), 4 * H) == at(2025, 10, 9, 14, 20)


def test_friday_before_national_day_2025_lands_on_the_tiaoxiu_sunday():
    # Friday 26 September 2025 17:50: 10 min; Saturday off; Sunday 28 September is a 调休
    # working day: 09:00-12:00 (3 h 10 min), 13:30 + 50 min = 14:20.
    assert add_business_time(mainland(), at(2025, 9, 26, 17, 50), 4 * H) == at(2025, 9, 28, 14, 20)


def test_friday_before_national_day_2022_lands_on_the_tiaoxiu_saturday():
    # Friday 30 September 2022 17:50: 10 min; 1-7 October off; Saturday 8 October is a 调休
    # working day: 09:00-12:00, then 13:30 + 50 min.
    assert add_business_time(mainland(), at(2022, 9, 30, 17, 50), 4 * H) == at(2022, 10, 8, 14, 20)


def test_the_tiaoxiu_saturday_after_national_day_2025_is_open():
    info = describe_day(mainland(), dt.date(2025, 10, 11))
    assert info.kind == DayKind.MAKEUP_WORKDAY
    assert info.intervals == (
        Interval(at(2025, 10, 11, 9), at(2025, 10, 11, 12)),
        Interval(at(2025, 10, 11, 13, 30), at(2025, 10, 11, 18)),
    )
    # Friday 10 October 17:00 + 2 h: 1 h on Friday, then Saturday 11 October 09:00 + 1 h.
    assert add_business_time(mainland(), at(2025, 10, 10, 17), 2 * H) == at(2025, 10, 11, 10)


def test_a_holiday_has_no_hours_and_a_name():
    info = describe_day(mainland(), dt.date(2025, 10, 1))
    assert (info.kind, info.intervals, info.note) == (DayKind.HOLIDAY, (), "National Day")
    assert describe_day(mainland(), dt.date(2025, 10, 4)).kind == DayKind.HOLIDAY  # Saturday
    assert describe_day(mainland(), dt.date(2025, 10, 12)).kind == DayKind.REST_DAY


# --- breaks, month and year ends ----------------------------------------------------------


def test_lunch_break_is_skipped():
    # Monday 22 September 2025 11:30 + 1 h: 30 min to 12:00, lunch, 13:30 + 30 min.
    assert add_business_time(mainland(), at(2025, 9, 22, 11, 30), H) == at(2025, 9, 22, 14)
    assert business_time_between(mainland(), at(2025, 9, 22, 11), at(2025, 9, 22, 14)) == (90 * M)


def test_a_due_time_that_uses_up_the_day_is_the_closing_time():
    assert add_business_time(mainland(), at(2025, 9, 22, 17), H) == at(2025, 9, 22, 18)
    assert add_business_time(mainland(), at(2025, 9, 22, 11), H) == at(2025, 9, 22, 12)


def test_year_end_into_new_year_2026_and_its_tiaoxiu_sunday():
    # 2026: 1-3 January off, Sunday 4 January worked (调休).
    assert chinese_calendar.is_holiday(dt.date(2026, 1, 1))
    assert chinese_calendar.is_workday(dt.date(2026, 1, 4))
    # Wednesday 31 December 2025 17:00 + 2 h: 1 h to 18:00, then Sunday 4 January 09:00 + 1 h.
    assert add_business_time(mainland(), at(2025, 12, 31, 17), 2 * H) == at(2026, 1, 4, 10)


def test_month_end_on_a_weekend():
    # Friday 31 October 2025 17:30 + 1 h: 30 min, weekend, Monday 3 November 09:30.
    assert add_business_time(mainland(), at(2025, 10, 31, 17, 30), H) == at(2025, 11, 3, 9, 30)
    assert business_time_between(mainland(), at(2025, 10, 31, 17, 30), at(2025, 11, 3, 9, 30)) == H


def test_thirty_business_days_walks_days_not_minutes():
    # Given a fresh spec, 30 business days of 7.5 h from Monday 1 September 2025 09:00
    spec = mainland()
    due = add_business_time(spec, at(2025, 9, 1, 9), 30 * 7.5 * H)
    # September has 23 working days (22 weekdays and the 调休 Sunday 28); then 9, 10,
    # 11 (调休 Saturday), 13, 14, 15, 16 October: the 30th ends Thursday 16 October 18:00.
    assert due == at(2025, 10, 16, 18)
    # and it looked at each calendar day once (46 days), not minute by minute
    assert len(spec._days) == 46


# --- inputs and outputs -------------------------------------------------------------------


def test_results_are_utc_whatever_the_input_zone():
    start = at(2025, 9, 22, 1, 30, zone=ZoneInfo("UTC"))  # 09:30 in Shanghai
    due = add_business_time(mainland(), start, H)
    assert due == at(2025, 9, 22, 10, 30)
    assert due.tzinfo is dt.UTC
    assert mainland().local(due).isoformat() == "2025-09-22T10:30:00+08:00"


def test_a_due_time_in_the_repeated_autumn_hour_compares_equal_to_its_instant():
    # 00:30 UTC on 26 October 2025 is 02:30 CEST, the first of Berlin's two 02:30s.
    spec = CalendarSpec.around_the_clock("Europe/Berlin")
    due = add_business_time(spec, dt.datetime(2025, 10, 26, 0, tzinfo=dt.UTC), 30 * M)
    assert due == dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC)
    assert spec.local(due).isoformat() == "2025-10-26T02:30:00+02:00"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_time(mainland(), dt.datetime(2025, 9, 22, 9), H)


def test_zero_duration_is_the_next_open_moment():
    assert add_business_time(mainland(), at(2025, 9, 22, 12, 15), dt.timedelta(0)) == at(
        2025, 9, 22, 13, 30
    )
    assert next_open(mainland(), at(2025, 9, 22, 10)) == at(2025, 9, 22, 10)
    assert next_open(mainland(), at(2025, 9, 30, 18)) == at(2025, 10, 9, 9)


def test_is_open_includes_the_start_and_excludes_the_end():
    spec = mainland()
    assert is_open(spec, at(2025, 9, 22, 9)) is True
    assert is_open(spec, at(2025, 9, 22, 11, 59)) is True
    assert is_open(spec, at(2025, 9, 22, 12)) is False
    assert is_open(spec, at(2025, 10, 2, 10)) is False  # National Day
    assert is_open(spec, at(2025, 9, 28, 10)) is True  # 调休 Sunday
    assert next_close(spec, at(2025, 9, 22, 10)) == at(2025, 9, 22, 12)
    assert next_close(spec, at(2025, 9, 22, 12, 30)) == at(2025, 9, 22, 18)


def test_business_time_between_is_signed():
    spec = mainland()
    assert business_time_between(spec, at(2025, 9, 22, 14), at(2025, 9, 22, 10)) == -150 * M


def test_subtracting_counts_backwards_over_holidays():
    spec = mainland()
    assert subtract_business_time(spec, at(2025, 10, 9, 14, 20), 4 * H) == at(2025, 9, 30, 17, 50)
    assert add_business_time(spec, at(2025, 10, 9, 14, 20), -4 * H) == at(2025, 9, 30, 17, 50)


# --- closures and extra working days -----------------------------------------------------


def test_a_closure_interval_is_skipped():
    spec = mainland(closed_intervals=(Interval(at(2025, 9, 22, 10), at(2025, 9, 22, 15)),))
    assert working_intervals(spec, dt.date(2025, 9, 22)) == (
        Interval(at(2025, 9, 22, 9), at(2025, 9, 22, 10)),
        Interval(at(2025, 9, 22, 15), at(2025, 9, 22, 18)),
    )
    assert add_business_time(spec, at(2025, 9, 22, 9, 30), H) == at(2025, 9, 22, 15, 30)


def test_closed_days_win_over_makeup_days():
    spec = mainland(closed_days=(DateRange(dt.date(2025, 9, 26), dt.date(2025, 9, 28), "搬迁"),))
    info = describe_day(spec, dt.date(2025, 9, 28))
    assert (info.kind, info.intervals, info.note) == (DayKind.CLOSED, (), "搬迁")
    # Thursday 25 September 17:50 + 4 h: 10 min, closed 26-28, Monday 29 September 14:20.
    assert add_business_time(spec, at(2025, 9, 25, 17, 50), 4 * H) == at(2025, 9, 29, 14, 20)


def test_an_extra_workday_keeps_the_makeup_weekdays_hours():
    spec = mainland(extra_workdays=frozenset({dt.date(2025, 9, 20)}))
    assert describe_day(spec, dt.date(2025, 9, 20)).kind == DayKind.EXTRA_WORKDAY
    # Friday 19 September 17:50 + 1 h: 10 min, then Saturday 20 September 09:50.
    assert add_business_time(spec, at(2025, 9, 19, 17, 50), H) == at(2025, 9, 20, 9, 50)


def test_an_extra_workday_overrides_a_holiday():
    spec = mainland(extra_workdays=frozenset({dt.date(2025, 10, 2)}))
    assert add_business_time(spec, at(2025, 9, 30, 17, 50), H) == at(2025, 10, 2, 9, 50)


# --- regions --------------------------------------------------------------------------------


def test_beyond_chinese_calendar_data_the_holidays_package_estimates_mainland_days():
    info = describe_day(mainland(), dt.date(2027, 10, 1))
    assert (info.kind, info.estimated) == (DayKind.HOLIDAY, True)
    assert describe_day(mainland(), dt.date(2026, 10, 1)).estimated is False
    # Thursday 30 September 2027 17:50 + 1 h: 10 min, then 1-3 October (Friday to Sunday)
    # and the 补假 Monday 4 and Tuesday 5 the `holidays` package expects (the 2027 schedule is
    # not published yet): Wednesday 6 October 09:50.
    assert add_business_time(mainland(), at(2027, 9, 30, 17, 50), H) == at(2027, 10, 6, 9, 50)


def test_other_regions_use_the_holidays_package():
    # 3 October 2025 (Friday) is German Unity Day.
    spec = berlin()
    assert describe_day(spec, dt.date(2025, 10, 3)).kind == DayKind.HOLIDAY
    assert add_business_time(spec, at(2025, 10, 2, 17, zone=BERLIN), H) == at(
        2025, 10, 6, 9, zone=BERLIN
    )
    assert bt.region_is_supported("DE-BY") is True
    assert bt.region_is_supported("XX") is False


def test_no_region_means_no_public_holidays():
    spec = CalendarSpec.weekly("Asia/Shanghai", MAINLAND_HOURS)
    assert describe_day(spec, dt.date(2025, 10, 1)).kind == DayKind.WORKDAY
    assert describe_day(spec, dt.date(2025, 9, 28)).kind == DayKind.REST_DAY


# --- daylight saving ------------------------------------------------------------------------


def test_business_hours_across_the_spring_change_in_berlin():
    # Friday 28 March 2025 17:00 CET + 1 h: 30 min, weekend (clocks go forward on Sunday),
    # Monday 31 March 08:30 CEST + 30 min = 09:00 CEST = 07:00 UTC.
    due = add_business_time(berlin(), at(2025, 3, 28, 17, zone=BERLIN), H)
    assert due == dt.datetime(2025, 3, 31, 7, tzinfo=dt.UTC)
    assert berlin().local(due).isoformat() == "2025-03-31T09:00:00+02:00"


def test_a_night_period_is_shorter_when_the_clocks_go_forward_and_longer_when_back():
    spec = CalendarSpec.weekly("Europe/Berlin", [(dt.time(1), dt.time(4))], weekdays=[6])
    # Sunday 30 March 2025: 01:00-02:00 CET, 03:00-04:00 CEST = 2 real hours.
    assert (
        business_time_between(spec, at(2025, 3, 30, 0, zone=BERLIN), at(2025, 3, 31, zone=BERLIN))
        == 2 * H
    )
    # Sunday 26 October 2025: 01:00-04:00 with 02:00-03:00 twice = 4 real hours.
    assert (
        business_time_between(spec, at(2025, 10, 26, 0, zone=BERLIN), at(2025, 10, 27, zone=BERLIN))
        == 4 * H
    )
    assert add_business_time(spec, at(2025, 3, 30, 0, zone=BERLIN), 90 * M) == at(
        2025, 3, 30, 3, 30, zone=BERLIN
    )


def test_a_period_starting_in_the_skipped_hour_opens_when_the_clocks_jump():
    spec = CalendarSpec.weekly("Europe/Berlin", [(dt.time(2, 30), dt.time(5))], weekdays=[6])
    assert working_intervals(spec, dt.date(2025, 3, 30))[0].start == dt.datetime(
        2025, 3, 30, 1, tzinfo=dt.UTC
    )


def test_a_whole_day_period_ends_at_midnight():
    spec = CalendarSpec.weekly("Europe/Berlin", [(dt.time(0), dt.time(0))], weekdays=range(7))
    # The spring-change day has 23 hours, the autumn one 25.
    assert (
        business_time_between(spec, at(2025, 3, 30, zone=BERLIN), at(2025, 3, 31, zone=BERLIN))
        == 23 * H
    )
    assert (
        business_time_between(spec, at(2025, 10, 26, zone=BERLIN), at(2025, 10, 27, zone=BERLIN))
        == 25 * H
    )


# --- 24×7 ----------------------------------------------------------------------------------


def test_around_the_clock_is_plain_addition():
    spec = CalendarSpec.around_the_clock()
    start = at(2025, 9, 30, 17, 50)
    assert add_business_time(spec, start, 4 * H) == at(2025, 9, 30, 21, 50)
    assert add_business_time(spec, start, 100 * H) == start + 100 * H
    assert business_time_between(spec, start, at(2025, 10, 9, 14, 20)) == dt.timedelta(
        days=8, hours=20, minutes=30
    )
    assert is_open(spec, at(2025, 10, 1, 3)) is True


def test_around_the_clock_adds_real_hours_across_daylight_saving():
    spec = CalendarSpec.around_the_clock("Europe/Berlin")
    # Saturday 29 March 2025 12:00 CET + 24 h = Sunday 13:00 CEST.
    due = add_business_time(spec, at(2025, 3, 29, 12, zone=BERLIN), 24 * H)
    assert spec.local(due).isoformat() == "2025-03-30T13:00:00+02:00"


# --- invalid calendars -----------------------------------------------------------------------


def test_overlapping_or_backwards_periods_are_rejected():
    assert bt.check_periods([Period(dt.time(9), dt.time(12)), Period(dt.time(11), dt.time(13))])
    assert bt.check_periods([Period(dt.time(12), dt.time(9))])
    assert (
        bt.check_periods([Period(dt.time(9), dt.time(12)), Period(dt.time(12), dt.time(13))]) == []
    )
    with pytest.raises(ValueError, match="overlaps"):
        CalendarSpec.weekly(
            "Asia/Shanghai", [(dt.time(9), dt.time(12)), (dt.time(11), dt.time(13))]
        )


def test_a_calendar_that_never_opens_fails_instead_of_looping():
    spec = CalendarSpec(time_zone=SHANGHAI)
    with pytest.raises(bt.CalendarNeverOpens):
        add_business_time(spec, at(2025, 9, 22, 9), H)
