"""Background jobs for surveys: thin wrappers that load by id and call an action."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.surveys import actions


@db_task(retries=2, retry_delay=30)
def distribute_for_case_event_task(event_id: int) -> int:
    return len(actions.distribute_for_case_event(event_id))


@db_task(retries=3, retry_delay=60)
def deliver_invitation_task(invitation_id: int) -> bool:
    return actions.deliver_invitation(invitation_id)


@db_task(retries=3, retry_delay=30)
def flush_outbox_task() -> int:
    return actions.flush_outbox()


@db_task(retries=2, retry_delay=30)
def after_answer_task(response_id: int) -> int | None:
    case = actions.after_answer(response_id)
    return case.pk if case else None


@db_periodic_task(crontab(minute="*/10"), retries=1, retry_delay=60)
def survey_housekeeping_task() -> tuple[int, int, int]:
    """Every 10 minutes: due relationship waves, reminders, expired links."""
    waves = actions.send_due_waves()
    reminders = actions.send_due_reminders()
    expired = actions.expire_invitations()
    return waves, reminders, expired
