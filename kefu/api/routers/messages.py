"""The conversation on a case: messages, notes, call and visit records, attachments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from kefu.accounts.actors import Actor
from kefu.api import presenters
from kefu.api.auth import current_user
from kefu.api.routers.cases import ERRORS
from kefu.api.schemas import AttachmentList, AttachmentOut, MessageIn, MessageList, MessageOut
from kefu.assist import actions as assist_actions
from kefu.cases import actions, selectors
from kefu.cases.choices import MessageKind
from kefu.cases.models import CaseMessage
from kefu.core.errors import ValidationFailed

router = Router(tags=["messages"])


@router.get(
    "/cases/{int:case_id}/messages",
    response={200: MessageList, **ERRORS},
    summary="The conversation",
)
def list_messages(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = selectors.get_case_for(current_user(request), case_id)
    qs = selectors.case_messages(case).prefetch_related("attachments__uploaded_by")
    items = [presenters.message(m, case) for m in qs]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{int:case_id}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Add a message, note, call or visit record",
)
def add_message(request: HttpRequest, case_id: int, payload: MessageIn) -> Status[Any]:
    """A `call` needs `call_direction` and `call_duration_seconds`. An `outbound` reply is
    checked for forbidden phrases first (see `confirm_override`)."""
    user = current_user(request)
    case = selectors.get_case_for(user, case_id)
    if payload.kind == MessageKind.OUTBOUND:
        # A reply to the customer passes the same check as in the workspace.
        message = assist_actions.send_reply(
            case_id,
            actor=Actor.staff(user),
            kind=payload.kind,
            body=payload.body,
            confirmed=payload.confirm_override,
        ).message
    else:
        message = actions.add_message(
            case_id,
            actor=Actor.staff(user),
            kind=payload.kind,
            body=payload.body,
            call_direction=payload.call_direction,
            call_duration_seconds=payload.call_duration_seconds,
            visited_at=payload.visited_at,
        )
    message = (
        CaseMessage.objects.select_related("author_user", "author_customer")
        .prefetch_related("attachments__uploaded_by")
        .get(pk=message.pk)
    )
    return Status(201, presenters.message(message, case))


@router.get(
    "/cases/{int:case_id}/attachments",
    response={200: AttachmentList, **ERRORS},
    summary="The files on a case",
)
def list_attachments(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = selectors.get_case_for(current_user(request), case_id)
    items = [
        presenters.attachment(a)
        for a in case.attachments.select_related("uploaded_by").order_by("created_at", "id")
    ]
    return {"items": items, "count": len(items)}


@router.post(
    "/cases/{int:case_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Upload a file (multipart/form-data, field `file`)",
)
def upload_attachment(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    message_id: Form[int | None] = None,
) -> Status[Any]:
    """Size and type are checked (KEFU_MAX_ATTACHMENT_MB); a refused file is not stored."""
    user = current_user(request)
    case = selectors.get_case_for(user, case_id)
    message = None
    if message_id is not None:
        message = CaseMessage.objects.filter(pk=message_id, case=case).first()
        if message is None:
            raise ValidationFailed(
                "the message does not belong to this case", fields={"message_id": "unknown id"}
            )
    assert file.file is not None
    attachment = actions.add_attachment(
        case_id,
        actor=Actor.staff(user),
        name=file.name or "",
        stream=file.file,
        size=file.size or 0,
        message=message,
    )
    return Status(201, presenters.attachment(attachment))
