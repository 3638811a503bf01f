"""Time standards in the workspace: the overdue queue and the attainment report."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from kefu.cases import actions
from kefu.core import clock
from tests.factories import advance, make_case

SH = ZoneInfo("Asia/Shanghai")


def test_the_overdue_queue_lists_cases_past_a_time_standard(org, as_user):
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        late, on_time = make_case(org), make_case(org)
        advance(org, on_time, "assigned")
    with clock.frozen_at(dt.datetime(2026, 3, 4, 11, 30, tzinfo=SH)):
        html = as_user(org.agent).get("/queues/overdue/").content.decode()
    numbers = re.findall(r'<td class="mono"><a href="/cases/([^/]+)/">', html)
    assert numbers == [late.number]


def test_the_report_shows_attainment_with_its_chart(org, as_user):
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        quick, _slow = make_case(org), make_case(org)
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 30, tzinfo=SH)):
        advance(org, quick, "assigned")
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 11, 5, tzinfo=SH))
    client = as_user(org.supervisor)
    response = client.get(
        "/reports/sla/", {"group_by": "metric", "start": "2026-03-01", "end": "2026-03-31"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert "派单时限" in html
    assert re.search(r"<td>派单时限</td><td>2</td><td>1</td><td>1</td><td>50.0%</td>", html)
    client.cookies["django_language"] = "en"
    english = client.get(
        "/reports/sla/", {"group_by": "metric", "start": "2026-03-01", "end": "2026-03-31"}
    )
    assert english.status_code == 200
    assert "<td>Time to assign</td>" in english.content.decode()


def test_the_report_refuses_a_reversed_period_and_needs_a_login(org, as_user):
    from django.test import Client

    html = (
        as_user(org.agent)
        .get("/reports/sla/", {"start": "2026-04-01", "end": "2026-03-01"})
        .content.decode()
    )
    assert 'role="alert"' in html
    assert Client().get("/reports/sla/").status_code == 302


def test_the_report_shows_the_period_it_counts_and_long_names_whole_on_hover(org, as_user):
    org.team.name = "Customer complaints and escalations desk"
    org.team.save(update_fields=["name"])
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        case = make_case(org)
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 30, tzinfo=SH)):
        advance(org, case, "assigned")
    with clock.frozen_at(dt.datetime(2026, 3, 20, 9, 0, tzinfo=SH)):
        html = as_user(org.supervisor).get("/reports/sla/").content.decode()
    # The form shows the default period, so the dates on screen are the dates counted.
    assert 'value="2026-02-18"' in html
    assert 'value="2026-03-20"' in html
    # A long team name is cut to the chart's label room; the whole name shows on hover.
    assert "<title>Customer complaints and escalations desk</title>" in html
    assert ">Customer complaints and…</text>" in html


def test_the_report_by_period_and_by_kind_reads_in_english(org, as_user):
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        case = make_case(org)
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 30, tzinfo=SH)):
        advance(org, case, "assigned")
    client = as_user(org.supervisor)
    client.cookies["django_language"] = "en"
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    weekly = client.get("/reports/sla/", {"group_by": "period", **period}).content.decode()
    assert "<td>Week of 2026-03-02</td>" in weekly
    by_kind = client.get("/reports/sla/", {"group_by": "kind", **period}).content.decode()
    assert "<td>Complaint</td>" in by_kind and "<td>投诉</td>" not in by_kind


def test_the_one_hour_assignment_hint_is_for_complaints_only(org, as_user):
    complaint, inquiry = make_case(org), make_case(org, kind="inquiry")
    for case in (complaint, inquiry):
        advance(org, case, "accepted")  # waiting to be assigned
    client = as_user(org.supervisor)
    hint = "投诉应在 1 小时内派单"
    assert hint in client.get(f"/cases/{complaint.number}/").content.decode()
    page = client.get(f"/cases/{inquiry.number}/").content.decode()
    assert "按部门和角色选择处理人。" in page and hint not in page
