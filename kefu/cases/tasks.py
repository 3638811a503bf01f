"""Background jobs for cases: thin wrappers that call the actions.

Every job is idempotent and retried when it fails (a database restarting, a lock timeout):
huey re-schedules it after RETRY_DELAY seconds, then twice, four times as long
(`retry_backoff`), RETRIES times in all. The periodic jobs also run again every minute, so a
job that failed for good is simply done by the next run.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.cases import actions

RETRIES = 3
RETRY = {"retries": RETRIES, "retry_delay": 10, "retry_backoff": 2}  # 10 s, 20 s, 40 s


def _periodic(**options: Any) -> Any:
    return db_periodic_task(crontab(minute="*"), **RETRY, **options)


@_periodic()
def sweep_clocks_task() -> tuple[int, int]:
    """Every minute: warnings and breaches of the time standards that are due (all of them,
    batch after batch; several workers share the batches)."""
    return actions.sweep_clocks()


@_periodic()
def deliver_notifications_task() -> int:
    return actions.deliver_due_notifications()


@_periodic()
def recompute_stale_clocks_task() -> int:
    """Every minute: due times follow calendar and policy changes, in batches of cases."""
    return actions.recompute_all_stale_clocks(batch=1000)
