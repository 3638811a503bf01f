"""The demo's 调休 story: the due time moves by the paused business time, exactly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kefu.cases.models import CaseClock, CaseEvent
from kefu.demo.showcase import tiaoxiu_wait
from tests.factories import Org, make_customer

SH = ZoneInfo("Asia/Shanghai")


def test_waiting_over_a_tiaoxiu_saturday_moves_the_due_time_by_the_business_time(org: Org):
    case = tiaoxiu_wait(org.agent, make_customer(org), dt.datetime(2026, 11, 24, tzinfo=SH))
    assert case is not None
    resolution = CaseClock.objects.get(case=case, metric="resolution")
    # paused Fri 16:00–18:00 (2 h) + Sat 10-10, a 调休 working day (7.5 h) + Mon 09:00–10:00
    assert resolution.paused_seconds == int(10.5 * 3600)
    # 16 business hours + 10.5 paused from Fri 09:30: Fri 7 h, Sat 7.5, Mon 7.5, Tue 09:00–12:00
    # and 13:30–15:00
    assert resolution.due_at == dt.datetime(2026, 10, 13, 15, 0, tzinfo=SH)
    types = list(CaseEvent.objects.filter(case=case).values_list("type", flat=True))
    assert types[-2:] == ["message_added", "resumed"]


def test_outside_its_window_the_story_is_not_loaded(org: Org):
    assert tiaoxiu_wait(org.agent, make_customer(org), dt.datetime(2027, 6, 1, tzinfo=SH)) is None
