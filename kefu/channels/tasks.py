"""Background jobs for the email channel: thin wrappers that call the actions."""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.channels import actions, imap

logger = logging.getLogger("kefu.channels")


@db_periodic_task(crontab(minute="*"))
def poll_mailboxes_task() -> int:
    """Every minute: fetch each IMAP mailbox that is due (one failing mailbox does not stop
    the others; its error is on its health record)."""
    polled = 0
    for mailbox_id in imap.due_mailboxes():
        try:
            imap.poll_mailbox(mailbox_id)
            polled += 1
        except Exception:
            logger.warning("mailbox %s: fetch failed", mailbox_id, exc_info=True)
    return polled


@db_periodic_task(crontab(minute="*/5"))
def alert_stale_mailboxes_task() -> list[int]:
    return actions.alert_stale_mailboxes()


@db_task(retries=4, retry_delay=60, context=True)
def send_reply_task(message_id: int, task: Any = None) -> str:
    """Deliver one reply; retried on failure, the last failure is an event on the case."""
    final = task is None or not task.retries
    return actions.send_reply(message_id, final=final)


@db_task(retries=3, retry_delay=30)
def send_link_mail_task(to: str, purpose: str, template: str, url: str) -> None:
    actions.send_link_mail(to, purpose, template, url)
