"""Worker jobs for agent assist: thin wrappers that load by id and call an action."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, task

from kefu.assist import actions
from kefu.assist.train import ensure_model, refresh_model, train_and_save


@task()
def retrain_model_task() -> str:
    """Retrain on the shipped corpus plus the site's labelled messages (idempotent: the
    same corpus gives the same model). Web processes pick the new model up by themselves;
    the stored analyses follow through `reanalyze_stale_task`. The agents' corrections of
    suggested kinds and causes are exported as training rows first."""
    actions.export_corrections()
    return train_and_save().fingerprint


@task()
def ensure_model_task() -> str:
    """Train the model if none is cached (a web process found none and uses the lexicon
    rules meanwhile); idempotent."""
    return ensure_model().fingerprint


@db_task(retries=2, retry_delay=10)
def analyze_message_task(message_id: int) -> bool:
    """Read a customer's message and store the analysis with it (idempotent)."""
    ensure_model()
    return actions.analyze_message(message_id) is not None


@db_task(retries=2, retry_delay=10)
def analyze_case_task(case_id: int) -> bool:
    """Read the subject and request of a new case and store the analysis (idempotent)."""
    ensure_model()
    return actions.analyze_case(case_id) is not None


@db_periodic_task(crontab(minute="*/10"), retries=1, retry_delay=30)
def reanalyze_stale_task() -> int:
    """Every 10 minutes: the model is retrained if its corpus or lexicon changed (a deploy,
    a site's new labelled file), then analyses made by an older model or lexicon are
    recomputed, in batches, so charts of emotion over time read one model's opinion."""
    refresh_model()
    total = 0
    while (done := actions.reanalyze_stale(batch=200)) > 0:
        total += done
    return total
