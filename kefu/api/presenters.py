"""Models to response dicts. Personal data is masked here for roles that may not see it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from kefu.accounts.models import Department, Site, Team, User
from kefu.accounts.roles import may_see_personal_data
from kefu.cases.clock_selectors import Timer
from kefu.cases.models import Attachment, Case, CaseEvent, CaseMessage, ReturnVisit
from kefu.customers.models import Customer
from kefu.customers.normalize import mask_email, mask_phone


def localized(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") and en else zh


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.label}


def _ref(obj: Team | Site | Department | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "code": obj.code, "name": obj.name}


team_ref = site_ref = department_ref = _ref


def customer_brief(customer: Customer, viewer: User) -> dict[str, Any]:
    masked = not may_see_personal_data(viewer)
    phone, email = customer.primary_phone, customer.primary_email
    if masked:
        phone = mask_phone(phone) if phone else ""
        email = mask_email(email) if email else ""
    return {
        "id": customer.pk,
        "name": customer.name,
        "phone": phone,
        "email": email,
        "masked": masked,
    }


def customer_detail(customer: Customer, viewer: User) -> dict[str, Any]:
    data = customer_brief(customer, viewer)
    phones = [p.number for p in customer.phones.all()]
    emails = [e.address for e in customer.emails.all()]
    if data["masked"]:
        phones = [mask_phone(p) for p in phones]
        emails = [mask_email(e) for e in emails]
    return {
        **data,
        "kind": customer.kind,
        "tier": customer.tier,
        "phones": phones,
        "emails": emails,
        "organisation_id": customer.organisation_id,
        "created_at": customer.created_at,
    }


def case_item(case: Case, viewer: User) -> dict[str, Any]:
    """The list row: needs kind, customer, team and handler pre-joined."""
    return {
        "id": case.pk,
        "number": case.number,
        "kind": case.kind.code,
        "kind_name": localized(case.kind.name_zh, case.kind.name_en),
        "is_complaint": case.is_complaint,
        "channel": case.channel,
        "priority": case.priority,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "subject": case.subject,
        "customer": customer_brief(case.customer, viewer),
        "team": team_ref(case.team),
        "handler": user_ref(case.handler),
        "escalation_level": case.escalation_level,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "version": case.version,
    }


def return_visit(visit: ReturnVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "due_at": visit.due_at,
        "outcome": visit.outcome,
        "note": visit.note,
        "recorded_by": user_ref(visit.recorded_by),
        "recorded_at": visit.recorded_at,
    }


def timer(t: Timer) -> dict[str, Any]:
    return {
        "metric": t.metric,
        "due_at": t.due_at,
        "state": t.state,
        "remaining_seconds": int(t.remaining.total_seconds()),
        "business_time": t.business_time,
    }


def case_detail(
    case: Case,
    viewer: User,
    *,
    allowed: list[str],
    visits: list[ReturnVisit],
    timers: list[Timer] | None = None,
) -> dict[str, Any]:
    return {
        **case_item(case, viewer),
        "description": case.description,
        "product": case.product,
        "tags": list(case.tags or []),
        "site": site_ref(case.site),
        "created_by": user_ref(case.created_by),
        "accepted_by": user_ref(case.accepted_by),
        "escalated_to": user_ref(case.escalated_to),
        "accepted_at": case.accepted_at,
        "assigned_at": case.assigned_at,
        "seconds_to_assign": case.seconds_to_assign,
        "first_contact_at": case.first_contact_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "stance": case.stance,
        "resolution": case.resolution,
        "cause": case.cause.code if case.cause else None,
        "root_cause": case.root_cause,
        "improvement_needed": case.improvement_needed,
        "responsible_person": user_ref(case.responsible_person),
        "responsible_department": department_ref(case.responsible_department),
        "return_visits": [return_visit(v) for v in visits],
        "timers": [timer(t) for t in timers or []],
        "allowed_actions": allowed,
    }


def _actor(
    kind: str, user: User | None, customer_id: int | None, source: str, case: Case
) -> dict[str, Any]:
    if user is not None:
        return {"kind": kind, "id": user.pk, "name": user.label}
    if customer_id is not None:
        name = case.customer.name if customer_id == case.customer_id else f"customer {customer_id}"
        return {"kind": kind, "id": customer_id, "name": name}
    return {"kind": kind, "id": None, "name": source or kind}


def event(ev: CaseEvent, case: Case) -> dict[str, Any]:
    data = dict(ev.data or {})
    before, after = data.pop("before", None), data.pop("after", None)
    return {
        "id": ev.pk,
        "type": ev.type,
        "type_label": str(ev.get_type_display()),
        "at": ev.at,
        "actor": _actor(ev.actor_kind, ev.actor_user, ev.actor_customer_id, ev.actor_source, case),
        "before": before,
        "after": after,
        "data": data,
    }


def attachment(att: Attachment) -> dict[str, Any]:
    return {
        "id": att.pk,
        "name": att.original_name,
        "content_type": att.content_type,
        "size": att.size,
        "sha256": att.sha256,
        "message_id": att.message_id,
        "uploaded_by": user_ref(att.uploaded_by),
        "created_at": att.created_at,
    }


def message(msg: CaseMessage, case: Case) -> dict[str, Any]:
    if msg.author_user is not None:
        author = _actor("staff", msg.author_user, None, "", case)
    elif msg.author_customer_id is not None:
        author = {
            "kind": "customer",
            "id": msg.author_customer_id,
            "name": msg.author_customer.name if msg.author_customer else "",
        }
    else:
        author = {"kind": "system", "id": None, "name": "system"}
    return {
        "id": msg.pk,
        "kind": msg.kind,
        "body": msg.body,
        "author": author,
        "call_direction": msg.call_direction,
        "call_duration_seconds": msg.call_duration_seconds,
        "visited_at": msg.visited_at,
        "created_at": msg.created_at,
        "attachments": [attachment(a) for a in msg.attachments.all()],
    }
