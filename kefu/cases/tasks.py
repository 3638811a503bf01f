"""Background jobs for cases: thin wrappers that call the actions."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.cases import actions


@db_periodic_task(crontab(minute="*"), retries=2, retry_delay=10)
def sweep_clocks_task() -> tuple[int, int]:
    """Every minute: warnings and breaches of the time standards that are due."""
    return actions.sweep_clocks()


@db_periodic_task(crontab(minute="*"), retries=2, retry_delay=10)
def deliver_notifications_task() -> int:
    return actions.deliver_due_notifications()


@db_periodic_task(crontab(minute="*"), retries=2, retry_delay=10)
def recompute_stale_clocks_task() -> int:
    """Every minute: due times follow calendar and policy changes, in batches of cases."""
    total = 0
    while (done := actions.recompute_stale_clocks(batch=500)) > 0:
        total += done
    return total
