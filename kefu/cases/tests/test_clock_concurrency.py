"""Two sweeps at once: each breach is recorded and escalated exactly once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kefu.cases import actions
from kefu.cases.choices import EventType
from kefu.cases.models import CaseEvent
from kefu.cases.tests.test_concurrency import run_together
from kefu.core import clock
from tests.factories import make_case, make_org

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_overlapping_sweeps_escalate_each_breach_once() -> None:
    org = make_org()
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        cases = [make_case(org, subject=f"投诉{i}") for i in range(5)]
    later = dt.datetime(2026, 3, 4, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    results = run_together([lambda: actions.sweep_clocks(now=later) for _ in range(3)])
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(r[1] for r in results) == 5
    for case in cases:
        assert CaseEvent.objects.filter(case=case, type=EventType.SLA_BREACHED).count() == 1
        assert CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).count() == 1


def test_two_workers_delivering_at_once_email_each_notice_once() -> None:
    from django.core import mail

    from kefu.cases.models import CaseNotification

    org = make_org()
    org.supervisor.email = "wang@example.cn"
    org.supervisor.save()
    sh = ZoneInfo("Asia/Shanghai")
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=sh)):
        for i in range(6):
            make_case(org, subject=f"投诉{i}")
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 10, 50, tzinfo=sh))
    assert CaseNotification.objects.count() == 6
    later = dt.datetime(2026, 3, 4, 10, 51, tzinfo=sh)
    results = run_together([lambda: actions.deliver_due_notifications(now=later)] * 2)
    assert sum(results) == 6, results
    assert len(mail.outbox) == 6
