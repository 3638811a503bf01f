"""Background jobs for crm: thin wrappers that call the actions."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.accounts.actors import Actor
from kefu.crm import actions


@db_task(retries=1, retry_delay=60)
def regrade_task() -> dict[str, Any]:
    """On demand: the RFM grades, then the churn warning that reads them."""
    grades = actions.recompute_grades(actor=Actor.system("rfm")).__dict__
    churn = actions.assess_churn(actor=Actor.system("churn")).__dict__
    return {**grades, **{f"churn_{k}": v for k, v in churn.items()}}


@db_periodic_task(crontab(hour="2", minute="30"), retries=1, retry_delay=300)
def nightly_regrade_task() -> dict[str, Any]:
    """Every night: RFM grades and tiers from the consumption up to yesterday."""
    return actions.recompute_grades(actor=Actor.system("rfm")).__dict__


@db_periodic_task(crontab(hour="3", minute="0"), retries=1, retry_delay=300)
def nightly_churn_task() -> dict[str, Any]:
    """Every night, after the grading: the churn warning and its follow-up tasks."""
    return actions.assess_churn(actor=Actor.system("churn")).__dict__


@db_task(retries=2, retry_delay=10)
def tier_service_task(case_id: int, event_type: str) -> list[str]:
    return actions.apply_tier_service(case_id, event_type=event_type)
