from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kefu.cases import actions
from kefu.cases.clock_selectors import overdue_filter, sla_attainment, timers_for
from kefu.cases.models import Case
from kefu.core import clock
from tests.factories import Org, advance, make_case

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def test_timers_show_business_time_left_and_colour(org: Org, django_assert_max_num_queries) -> None:
    with clock.frozen_at(at(2026, 3, 4, 11, 30)):
        case = make_case(org)
    with django_assert_max_num_queries(4):
        timers = timers_for([case], now=at(2026, 3, 4, 12, 10))
    by_metric = {t.metric: t for t in timers[case.pk]}
    # assign: 1 business hour = 11:30–12:00 and, after lunch, 13:30–14:00; at 12:10 (lunch)
    # 30 minutes are used and 30 left; the warning (80%) comes at 13:48
    assert by_metric["assign"].due_at == at(2026, 3, 4, 14, 0)
    assert by_metric["assign"].remaining == dt.timedelta(minutes=30)
    assert by_metric["assign"].state == "ok"
    warning = timers_for([case], now=at(2026, 3, 4, 13, 50))[case.pk]
    assert {t.metric: t.state for t in warning}["assign"] == "warning"
    late = timers_for([case], now=at(2026, 3, 4, 14, 30))[case.pk]
    assert {t.metric: t.state for t in late}["assign"] == "breached"
    assert {t.metric: t.remaining for t in late}["assign"] == dt.timedelta(minutes=-30)


def test_overdue_queue(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        late = make_case(org)
        on_time = make_case(org)
        advance(org, on_time, "assigned")
    overdue = Case.objects.filter(overdue_filter(at(2026, 3, 4, 11, 30)))
    assert list(overdue) == [late]


def test_attainment_per_team_and_metric(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        quick, _slow = make_case(org), make_case(org)
    with clock.frozen_at(at(2026, 3, 4, 10, 30)):
        advance(org, quick, "assigned")
    actions.sweep_clocks(now=at(2026, 3, 4, 11, 5))
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    rows = sla_attainment(org.admin, start=start, end=end, group_by="metric")
    assign = next(r for r in rows if r.key == "assign")
    assert (assign.total, assign.met, assign.breached, assign.attainment) == (2, 1, 1, 50.0)
    teams = sla_attainment(org.admin, start=start, end=end)
    assert [r.label for r in teams] == [org.team.name]
    # another team's agent sees nothing of it
    assert sla_attainment(org.other_agent, start=start, end=end) == []


def test_attainment_per_week_and_per_month_in_order(org: Org) -> None:
    # Three weeks of March 2026. Monday 16 March 01:00 in Shanghai is still Sunday in UTC:
    # weeks begin in the site's time zone.
    for day, hour in ((4, 10), (10, 10), (16, 1)):
        with clock.frozen_at(at(2026, 3, day, hour, 0)):
            case = make_case(org)
        with clock.frozen_at(at(2026, 3, day, hour, 20)):
            advance(org, case, "assigned")
    rows = sla_attainment(
        org.admin, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), group_by="period"
    )
    assert [r.key for r in rows] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    assert [r.label for r in rows] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    assert all(r.met == r.total > 0 for r in rows)
    months = sla_attainment(
        org.admin, start=dt.date(2025, 11, 1), end=dt.date(2026, 3, 31), group_by="period"
    )
    assert [(r.key, r.label) for r in months] == [("2026-03-01", "2026-03")]
    assert months[0].total == sum(r.total for r in rows)
