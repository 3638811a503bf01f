"""The time-standard jobs as the worker runs them: retried with growing delays when they fail,
and each a loop over batches until nothing is left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError
from huey.contrib.djhuey import HUEY

from kefu.cases import actions, tasks
from kefu.cases.models import CaseNotification
from kefu.core import clock
from tests.factories import Org, make_case

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def schedule() -> Iterator[None]:
    HUEY.storage.flush_schedule()
    yield
    HUEY.storage.flush_schedule()


def _scheduled(task_id: str) -> list:
    return [t for t in HUEY.scheduled() if t.id == task_id]


def test_a_failing_sweep_is_retried_after_10_then_20_then_40_seconds(
    monkeypatch: pytest.MonkeyPatch, schedule: None
) -> None:
    def database_down(**_kwargs: object) -> tuple[int, int]:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(actions, "sweep_clocks", database_down)
    task = tasks.sweep_clocks_task.s()
    delays = []
    for _attempt in range(tasks.RETRIES + 1):
        before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # fails (logged); huey schedules the next attempt. Run each attempt at its eta.
        HUEY.execute(task, timestamp=task.eta)
        again = _scheduled(task.id)
        if not again:
            break
        (task,) = again
        delays.append(round((task.eta - before).total_seconds()))
        HUEY.storage.flush_schedule()
    assert [abs(d - want) <= 2 for d, want in zip(delays, (10, 20, 40), strict=True)] == [True] * 3
    assert task.retries == 0  # the fourth failure is final: the next minute's run takes over


def test_the_notification_job_empties_the_queue_batch_after_batch(org: Org) -> None:
    org.supervisor.email = "wang@example.cn"
    org.supervisor.save()
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        for i in range(5):
            make_case(org, subject=f"投诉{i}")
    actions.sweep_clocks(now=dt.datetime(2026, 3, 4, 10, 50, tzinfo=SH))
    assert (
        actions.deliver_due_notifications(now=dt.datetime(2026, 3, 4, 10, 51, tzinfo=SH), batch=2)
        == 5
    )
    assert not CaseNotification.objects.filter(emailed_at__isnull=True).exists()


def test_a_sweep_bigger_than_a_batch_asks_a_second_worker_to_join(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kefu.cases import sla_actions
    from kefu.cases.models import CaseClock

    cases = [make_case(org) for _ in range(7)]
    joined: list[tuple[int, int]] = []
    share = tasks.join_sweep_task.call_local

    def join() -> tuple[int, int]:
        joined.append(share())  # the second worker's share, run here and now
        return joined[-1]

    monkeypatch.setattr(tasks, "join_sweep_task", join)
    monkeypatch.setattr(sla_actions, "SWEEP_BATCH", 5)
    tasks.sweep_clocks_task.call_local()  # nothing due yet: nobody is asked
    assert joined == []

    due = max(CaseClock.objects.get(case=c, metric="assign").due_at for c in cases)
    with clock.frozen_at(due + dt.timedelta(minutes=1)):
        assert actions.more_due_than(5) and not actions.more_due_than(7)
        tasks.sweep_clocks_task.call_local()
    assert len(joined) == 1 and joined[0][1] == 7
    assert not CaseClock.objects.filter(metric="assign", breached_at__isnull=True).exists()


def test_a_recompute_bigger_than_a_batch_asks_a_second_worker_to_join(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.models import F

    from kefu.sla.models import BusinessCalendar

    cases = [make_case(org) for _ in range(7)]
    joined: list[int] = []
    share = tasks.join_recompute_task.call_local

    def join() -> int:
        joined.append(share())  # the second worker's share, run here and now
        return joined[-1]

    monkeypatch.setattr(tasks, "join_recompute_task", join)
    monkeypatch.setattr(tasks, "RECOMPUTE_BATCH", 5)
    tasks.recompute_stale_clocks_task.call_local()  # nothing stale: nobody is asked
    assert joined == []

    BusinessCalendar.objects.update(version=F("version") + 1)
    assert actions.more_stale_than(5) and not actions.more_stale_than(7)
    tasks.recompute_stale_clocks_task.call_local()
    # (here the joined share runs first and finds them all; at once, the two take turns)
    assert joined == [len(cases)]
    assert actions.stale_clock_case_ids() == []
