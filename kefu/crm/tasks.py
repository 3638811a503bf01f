"""Background jobs for crm: thin wrappers that call the actions."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.accounts.actors import Actor
from kefu.crm import actions


@db_task(retries=1, retry_delay=60)
def regrade_task() -> dict[str, Any]:
    return actions.recompute_grades(actor=Actor.system("rfm")).__dict__


@db_periodic_task(crontab(hour="2", minute="30"), retries=1, retry_delay=300)
def nightly_regrade_task() -> dict[str, Any]:
    """Every night: RFM grades and tiers from the consumption up to yesterday."""
    return actions.recompute_grades(actor=Actor.system("rfm")).__dict__
