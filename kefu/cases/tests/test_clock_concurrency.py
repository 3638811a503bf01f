"""Two sweeps at once: each breach is recorded and escalated exactly once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

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


def _stale_cases(count: int) -> list:
    """Cases opened on a Wednesday morning, then that whole day closed (a typhoon): every
    running clock is stale and its due time moves."""
    from kefu.accounts.actors import Actor
    from kefu.sla.actions import ClosureInput, add_closure
    from kefu.sla.selectors import default_calendar

    org = make_org()
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        cases = [make_case(org, subject=f"投诉{i}") for i in range(count)]
    day = dt.date(2026, 3, 4)
    add_closure(
        default_calendar(),
        ClosureInput(first_day=day, last_day=day, reason="台风"),
        actor=Actor.staff(org.admin),
    )
    return cases


def test_two_workers_recomputing_at_once_take_each_case_once() -> None:
    cases = _stale_cases(9)
    results = run_together([lambda: actions.recompute_all_stale_clocks(batch=2)] * 2)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 9
    assert actions.stale_clock_case_ids() == []
    for case in cases:
        assert CaseEvent.objects.filter(case=case, type=EventType.SLA_RECOMPUTED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_case_someone_holds_is_passed_over_and_taken_by_the_next_run() -> None:
    import threading

    from django.db import transaction

    from kefu.cases.lock_objects import lock_case

    held, *_others = _stale_cases(4)
    locked, release = threading.Event(), threading.Event()

    def agent_editing() -> None:
        try:
            with transaction.atomic():
                lock_case(held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    agent = threading.Thread(target=agent_editing)
    agent.start()
    try:
        assert locked.wait(timeout=10)
        # the run does not wait for the agent: it recomputes the others and ends
        assert actions.recompute_all_stale_clocks(batch=2) == 3
        assert actions.stale_clock_case_ids() == [held.pk]
    finally:
        release.set()
        agent.join(timeout=30)
    assert actions.recompute_all_stale_clocks(batch=2) == 1
    assert actions.stale_clock_case_ids() == []
