"""/api/v1/ endpoints of the channels app: the raw-MIME intake an MTA pipe posts to, and
mailbox health. Administrators' tokens only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

from kefu.accounts.choices import Role
from kefu.api.auth import current_user
from kefu.api.schemas import ErrorOut
from kefu.channels import actions, selectors
from kefu.channels.models import Mailbox
from kefu.core.errors import NotFound, PermissionDenied, ValidationFailed

router = Router(tags=["channels"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class IngestOut(Schema):
    status: str
    inbound_id: int | None
    case_id: int | None


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    active: bool
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error: str
    backlog: int
    quarantined: int
    stale: bool


def _admin(request: HttpRequest) -> None:
    if current_user(request).role != Role.ADMIN:
        raise PermissionDenied("only administrators feed or inspect mailboxes")


@router.post(
    "/channels/mailboxes/{int:mailbox_id}/raw",
    response={200: IngestOut, 201: IngestOut, **ERRORS},
    summary="Ingest one raw email (the request body is the RFC 5322 message)",
)
def ingest_raw(request: HttpRequest, mailbox_id: int) -> Status[Any]:
    """For an MTA pipe (e.g. `curl --data-binary @- -H 'Content-Type: message/rfc822'`).
    201 when stored (a case, a reply, a recorded auto-reply or quarantine), 200 when the
    Message-ID was already stored."""
    _admin(request)
    if not Mailbox.objects.filter(pk=mailbox_id).exists():
        raise NotFound("mailbox not found")
    raw = request.body
    if not raw.strip():
        raise ValidationFailed("the body is empty", fields={"body": "the raw message"})
    if len(raw) > settings.KEFU_MAX_ATTACHMENT_BYTES * 2:
        raise ValidationFailed("the message is too large", fields={"body": "too large"})
    result = actions.ingest_email(mailbox_id, raw, source="http")
    body = {"status": result.status, "inbound_id": result.inbound_id, "case_id": result.case_id}
    return Status(200 if result.duplicate else 201, body)


@router.get("/channels/mailboxes", response={200: list[MailboxOut], **ERRORS})
def mailbox_health(request: HttpRequest) -> list[dict[str, Any]]:
    _admin(request)
    return [
        {
            "id": h.mailbox.pk,
            "name": h.mailbox.name,
            "address": h.mailbox.address,
            "active": h.mailbox.active,
            "last_success_at": h.mailbox.last_success_at,
            "last_error_at": h.mailbox.last_error_at,
            "last_error": h.mailbox.last_error,
            "backlog": h.mailbox.backlog,
            "quarantined": h.quarantined,
            "stale": h.stale,
        }
        for h in selectors.mailbox_health()
    ]
