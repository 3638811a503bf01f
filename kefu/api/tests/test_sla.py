"""Time standards through the API: timers on a case, attainment, the calendar preview."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kefu.cases import actions
from kefu.core import clock
from tests.factories import advance, make_case

SH = ZoneInfo("Asia/Shanghai")


def test_case_detail_shows_the_running_timers(org, api) -> None:
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        case = make_case(org)
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 55, tzinfo=SH)):
        body = api(org.agent).get(f"/cases/{case.pk}").json()
    timers = {t["metric"]: t for t in body["timers"]}
    assert set(timers) == {"assign", "first_response", "resolution"}
    assert timers["assign"]["state"] == "warning"
    assert timers["assign"]["remaining_seconds"] == 5 * 60
    assert dt.datetime.fromisoformat(timers["assign"]["due_at"]) == dt.datetime(
        2026, 3, 4, 11, 0, tzinfo=SH
    )


def test_attainment_report(org, api) -> None:
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        quick, _slow = make_case(org), make_case(org)
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 30, tzinfo=SH)):
        advance(org, quick, "assigned")
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 11, 5, tzinfo=SH))
    response = api(org.supervisor).get(
        "/sla/attainment", {"group_by": "metric", "start": "2026-03-01", "end": "2026-03-31"}
    )
    assert response.status_code == 200
    body = response.json()
    assign = next(i for i in body["items"] if i["key"] == "assign")
    assert (assign["total"], assign["met"], assign["breached"], assign["attainment"]) == (
        2,
        1,
        1,
        50.0,
    )
    hidden = api(org.other_agent).get(
        "/sla/attainment", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert hidden.json()["items"] == []
    weekly = api(org.supervisor).get(
        "/sla/attainment", {"group_by": "period", "start": "2026-03-01", "end": "2026-03-31"}
    )
    assert weekly.status_code == 200
    [week] = weekly.json()["items"]  # Wednesday 4 March: the week from Monday 2 March
    assert (week["key"], week["label"]) == ("2026-03-02", "2026-03-02")
    assert (week["total"], week["met"]) == (body["total"], body["met"])


def test_attainment_refuses_bad_input(org, api) -> None:
    client = api(org.supervisor)
    bad_group = client.get("/sla/attainment", {"group_by": "weather"})
    assert bad_group.status_code == 422
    assert "group_by" in bad_group.json()["error"]["fields"]
    reversed_period = client.get("/sla/attainment", {"start": "2026-04-01", "end": "2026-03-01"})
    assert reversed_period.status_code == 422
    assert api(None).get("/sla/attainment").status_code == 401


def test_preview_before_the_national_day_holiday(org, api) -> None:
    client = api(org.agent)
    codes = [c["code"] for c in client.get("/sla/calendars").json()["items"]]
    assert codes == ["24x7", "cn-standard"]
    response = client.get(
        "/sla/calendars/cn-standard/preview", {"start": "2025-09-30T17:50:00", "hours": 4}
    )
    assert response.status_code == 200
    body = response.json()
    # 10 minutes on the 30th, Oct 1–8 off, then 09:00–12:00 and 13:30–14:20 on the 9th
    assert dt.datetime.fromisoformat(body["due"]) == dt.datetime(2025, 10, 9, 14, 20, tzinfo=SH)
    assert [d["kind"] for d in body["days"][1:9]] == ["holiday"] * 8
    missing = client.get("/sla/calendars/nope/preview", {"start": "2025-09-30T17:50", "hours": 4})
    assert missing.status_code == 404
    garbled = client.get("/sla/calendars/cn-standard/preview", {"start": "x", "hours": 4})
    assert garbled.status_code == 422
    # Found by schemathesis: year 31 answered in Shanghai's local mean time (+08:05:43).
    ancient = client.get(
        "/sla/calendars/cn-standard/preview", {"start": "0031-12-29T19:19:50", "hours": 4}
    )
    assert ancient.status_code == 422 and "start" in ancient.json()["error"]["fields"]


def test_the_overdue_queue(org, api) -> None:
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        late, on_time = make_case(org), make_case(org)
        advance(org, on_time, "assigned")
    with clock.frozen_at(dt.datetime(2026, 3, 4, 11, 30, tzinfo=SH)):
        items = api(org.supervisor).get("/cases", {"overdue": "true"}).json()["items"]
    assert [i["id"] for i in items] == [late.pk]
