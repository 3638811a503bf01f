"""Calendars from the database: the default calendars, to_spec in one query, the preview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kefu.accounts.actors import Actor
from kefu.sla import actions, selectors
from kefu.sla import business_time as bt
from kefu.sla.actions import ClosureInput, WeeklyPeriod
from kefu.sla.models import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: ZoneInfo = SHANGHAI
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def test_the_migration_creates_the_mainland_and_24x7_calendars():
    mainland = selectors.default_calendar()
    assert (mainland.name, mainland.time_zone, mainland.region, mainland.is_24x7) == (
        "中国大陆标准工作日",
        "Asia/Shanghai",
        "CN",
        False,
    )
    assert list(mainland.periods.values_list("weekday", "start", "end")) == [
        (day, start, end)
        for day in range(5)
        for start, end in ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18)))
    ]
    always = selectors.get_calendar(selectors.ALWAYS_OPEN_CALENDAR)
    assert always.is_24x7 is True
    assert always.periods.count() == 0


def test_to_spec_reads_periods_closures_and_extra_workdays_in_one_query(
    org, django_assert_num_queries
):
    # Given a calendar with every kind of rule
    admin = Actor.staff(org.admin)
    calendar = actions.create_calendar(
        actor=admin,
        code="berlin",
        name="Berlin office",
        time_zone="Europe/Berlin",
        region="DE-BY",
        periods=[
            WeeklyPeriod(0, dt.time(8, 30), dt.time(12)),
            WeeklyPeriod(0, dt.time(13, 30), dt.time(17, 30)),
        ],
    )
    actions.add_closure(
        calendar,
        ClosureInput(dt.date(2025, 12, 24), dt.date(2025, 12, 31), reason="Betriebsferien"),
        actor=admin,
    )
    actions.add_closure(
        calendar,
        ClosureInput(
            starts_at=at(2025, 11, 3, 10, zone=BERLIN), ends_at=at(2025, 11, 3, 11, zone=BERLIN)
        ),
        actor=admin,
    )
    actions.add_extra_workday(calendar, dt.date(2025, 11, 8), actor=admin, reason="Inventur")
    calendar = BusinessCalendar.objects.get(pk=calendar.pk)

    # When it becomes a spec
    with django_assert_num_queries(1):
        spec = selectors.to_spec(calendar)

    # Then every rule is in it
    assert spec.time_zone == BERLIN
    assert spec.region == "DE-BY"
    assert spec.week[0] == (
        bt.Period(dt.time(8, 30), dt.time(12)),
        bt.Period(dt.time(13, 30), dt.time(17, 30)),
    )
    assert spec.week[1:] == ((),) * 6
    assert spec.closed_days == (
        bt.DateRange(dt.date(2025, 12, 24), dt.date(2025, 12, 31), "Betriebsferien"),
    )
    assert spec.closed_intervals == (
        bt.Interval(
            dt.datetime(2025, 11, 3, 9, tzinfo=dt.UTC), dt.datetime(2025, 11, 3, 10, tzinfo=dt.UTC)
        ),
    )
    assert spec.extra_workdays == frozenset({dt.date(2025, 11, 8)})
    with django_assert_num_queries(2):
        selectors.spec_for(calendar.pk)


def test_a_24x7_calendar_needs_no_query_for_rules(django_assert_num_queries):
    always = selectors.get_calendar(selectors.ALWAYS_OPEN_CALENDAR)
    with django_assert_num_queries(0):
        spec = selectors.to_spec(always)
    assert spec.always_open is True


def test_preview_answers_the_national_day_question_on_the_default_calendar():
    # Given the default mainland calendar and a case opened at 17:50 on the last working day
    # before the 2025 National Day holiday (Tuesday 30 September)
    calendar = selectors.default_calendar()

    # When a 4-business-hour target is previewed
    preview = selectors.preview_due(calendar, at(2025, 9, 30, 17, 50), 4)

    # Then: 10 minutes on 30 September, 1-8 October off, 3 hours on the morning of Thursday
    # 9 October, 50 minutes after lunch
    assert preview.due == at(2025, 10, 9, 14, 20)
    assert preview.target == dt.timedelta(hours=4)
    assert preview.calendar_time == dt.timedelta(days=8, hours=20, minutes=30)
    assert [d.day for d in preview.days] == [
        dt.date(2025, 9, 30) + dt.timedelta(days=n) for n in range(10)
    ]
    assert [
        d.kind for d in preview.days if dt.date(2025, 10, 1) <= d.day <= dt.date(2025, 10, 8)
    ] == [bt.DayKind.HOLIDAY] * 8
    assert preview.estimated is False


def test_preview_reads_a_naive_start_in_the_calendars_zone():
    calendar = selectors.default_calendar()
    preview = selectors.preview_due(calendar, dt.datetime(2025, 9, 26, 17, 50), Decimal("4"))
    # Friday 26 September 2025: the next working day is the 调休 Sunday 28 September.
    assert preview.due == at(2025, 9, 28, 14, 20)
