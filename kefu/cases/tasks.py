"""Background jobs for cases: thin wrappers that call the actions.

Every job is idempotent and retried when it fails (a database restarting, a lock timeout):
huey re-schedules it after RETRY_DELAY seconds, then twice, four times as long
(`retry_backoff`), RETRIES times in all. The periodic jobs also run again every minute, so a
job that failed for good is simply done by the next run.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.cases import actions, sla_actions

RETRIES = 3
RETRY = {"retries": RETRIES, "retry_delay": 10, "retry_backoff": 2}  # 10 s, 20 s, 40 s
RECOMPUTE_BATCH = 1000  # cases per transaction


def _periodic(**options: Any) -> Any:
    return db_periodic_task(crontab(minute="*"), **RETRY, **options)


@_periodic()
def sweep_clocks_task() -> tuple[int, int]:
    """Every minute: warnings and breaches of the time standards that are due (all of them,
    batch after batch). When more than one batch is due, a second worker is asked to join:
    the two share the batches (each locks its cases with SKIP LOCKED), so a big sweep takes
    the time of its share while the database works on the other."""
    if actions.more_due_than(sla_actions.SWEEP_BATCH):
        join_sweep_task()
    return actions.sweep_clocks()


@db_task(**RETRY)
def join_sweep_task() -> tuple[int, int]:
    """Another worker's share of a big sweep (nothing left to do when it starts late)."""
    return actions.sweep_clocks()


@_periodic()
def deliver_notifications_task() -> int:
    return actions.deliver_due_notifications()


@_periodic()
def recompute_stale_clocks_task() -> int:
    """Every minute: due times follow calendar and policy changes, in batches of cases.
    When more than one batch is stale, a second worker is asked to join, as for the sweep:
    the two take turns through the cases (each batch skips the cases the other holds)."""
    if actions.more_stale_than(RECOMPUTE_BATCH):
        join_recompute_task()
    return actions.recompute_all_stale_clocks(batch=RECOMPUTE_BATCH)


@db_task(**RETRY)
def join_recompute_task() -> int:
    """Another worker's share of a big recompute (nothing left to do when it starts late)."""
    return actions.recompute_all_stale_clocks(batch=RECOMPUTE_BATCH)
