"""Every write to a case. Each action takes the actor, validates, writes, records the event
in the same transaction and enqueues side effects on commit. Nothing else changes a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from kefu.accounts.actors import Actor
from kefu.accounts.models import Department, Site, Team, User
from kefu.cases import escalation, search, sla_actions
from kefu.cases.choices import (
    DOMAIN_EVENT_TYPES,
    CallDirection,
    CaseStatus,
    Channel,
    EventType,
    MessageKind,
    Priority,
    ReturnVisitOutcome,
    Stance,
)
from kefu.cases.clocks import (
    HANDLING_METRICS,
    pause_clock,
    recompute_clocks,
    restart_clock,
    resume_clock,
    start_clocks,
    stop_clock,
)
from kefu.cases.events import changes, record_event
from kefu.cases.lock_objects import lock_case
from kefu.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    CaseMessage,
    CaseNotification,
    CauseCategory,
    ReturnVisit,
)
from kefu.cases.numbering import next_case_number
from kefu.cases.permissions import ensure_may_perform, ensure_may_see
from kefu.cases.transitions import IMPROVEMENT_WORKFLOWS, target_status
from kefu.cases.validation import check_attachment, require_choice, require_text, sha256_of
from kefu.core import clock
from kefu.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)
from kefu.customers.actions import set_customer_tier
from kefu.customers.models import Customer
from kefu.sla.policies import Metric

EDITABLE_FIELDS = ("subject", "description", "product", "tags", "priority")


# --- helpers ----------------------------------------------------------------------------


def _kind(code: str, field: str = "kind") -> CaseKind:
    kind = CaseKind.objects.filter(code=code, active=True).first()
    if kind is None:
        codes = list(CaseKind.objects.filter(active=True).values_list("code", flat=True))
        raise ValidationFailed(
            f"unknown case kind '{code}'", fields={field: f"one of {', '.join(codes)}"}
        )
    return kind


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion(
            f"the case was changed by someone else (you have version {expected_version}, "
            f"it is now version {case.version}); reload it and try again",
            fields={"version": str(case.version)},
        )


def _save(case: Case, fields: list[str]) -> None:
    case.version += 1
    case.updated_at = clock.now()
    case.save(update_fields=[*fields, "version", "updated_at"])


def _record_refusal(case_id: int, actor: Actor, action: str, exc: TransitionNotAllowed) -> None:
    """Keep the refused attempt on the record (two agents accepting at once: both show)."""
    with transaction.atomic():
        case = Case.objects.get(pk=case_id)
        record_event(
            case,
            EventType.ATTEMPT_REFUSED,
            actor=actor,
            action=action,
            status=case.status,
            allowed=exc.allowed,
        )


def _transition(
    case_id: int,
    actor: Actor,
    action: str,
    apply: Callable[[Case, str], tuple[str, dict[str, Any], list[str]]],
    *,
    expected_version: int | None = None,
    then: Callable[[Case], object] | None = None,
) -> Case:
    """Lock, check role and status, apply the change, save, record the event.

    `apply(case, new_status)` sets the fields and returns (event type, event data, fields
    changed besides status).
    """
    try:
        with transaction.atomic():
            case = lock_case(case_id)
            ensure_may_see(actor, case)
            _check_version(case, expected_version)
            new_status = target_status(case.kind.workflow, action, case.status)
            ensure_may_perform(actor, case, action)
            previous_status = case.status
            event_type, data, fields = apply(case, new_status)
            case.status = new_status
            _save(case, [*fields, "status"])
            before = {"status": previous_status, **data.pop("before", {})}
            after = {"status": new_status, **data.pop("after", {})}
            record_event(case, event_type, actor=actor, before=before, after=after, **data)
            if then is not None:
                then(case)
            return case
    except TransitionNotAllowed as exc:
        _record_refusal(case_id, actor, action, exc)
        raise


def _record_recompute(case: Case, actor: Actor, *, reason: str) -> None:
    """Due times follow the case: re-apply policy and calendar, record what moved."""
    moved = recompute_clocks(case)
    if moved:
        record_event(case, EventType.SLA_RECOMPUTED, actor=actor, reason=reason, clocks=moved)


def _staff_user(actor: Actor) -> User | None:
    return actor.user if actor.is_staff else None


# --- creating and editing ---------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    subject: str,
    customer: Customer,
    description: str = "",
    priority: int = Priority.NORMAL,
    product: str = "",
    tags: list[str] | None = None,
    team: Team | None = None,
    site: Site | None = None,
) -> Case:
    """Register a contact as a new case (status new), numbered per kind and year."""
    user = _staff_user(actor)
    if user is not None and user.role == "backoffice":
        raise PermissionDenied("back-office staff do not register customer contacts")
    case_kind = _kind(kind)
    require_choice(channel, "channel", list(Channel.values))
    require_choice(priority, "priority", list(Priority.values))
    subject = require_text(subject, "subject", max_length=200)
    tags = [str(t).strip() for t in (tags or []) if str(t).strip()]
    if team is None and user is not None:
        team = user.team
    if site is None:
        site = team.site if team is not None else (user.site if user is not None else None)
    now = clock.now()
    case = Case.objects.create(
        number=next_case_number(case_kind.number_prefix, timezone.localtime(now).year),
        kind=case_kind,
        is_complaint=case_kind.is_complaint,
        channel=channel,
        priority=priority,
        subject=subject,
        description=(description or "").strip(),
        product=(product or "").strip(),
        tags=tags,
        customer=customer,
        team=team,
        site=site,
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    clocks = start_clocks(case, HANDLING_METRICS, now=now, new=True)
    record_event(
        case,
        EventType.CREATED,
        actor=actor,
        due={c.metric: c.due_at for c in clocks},
        after={
            "number": case.number,
            "kind": case_kind.code,
            "channel": channel,
            "priority": priority,
            "subject": subject,
            "customer": customer.pk,
            "team": team.pk if team else None,
            "site": site.pk if site else None,
            "status": CaseStatus.NEW,
        },
    )
    search.index_case(case, new=True)
    return case


@transaction.atomic
def edit_case(case_id: int, *, actor: Actor, version: int, **fields: Any) -> Case:
    """Change descriptive fields. The caller names the version it read; a stale one is a 409."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "these fields cannot be edited: " + ", ".join(sorted(unknown)),
            fields={f: "not editable" for f in unknown},
        )
    case = lock_case(case_id)
    ensure_may_perform(actor, case, "edit")
    _check_version(case, version)
    if "subject" in fields:
        fields["subject"] = require_text(fields["subject"], "subject", max_length=200)
    if "priority" in fields:
        require_choice(fields["priority"], "priority", list(Priority.values))
    if "tags" in fields:
        if not isinstance(fields["tags"], list):
            raise ValidationFailed("tags must be a list", fields={"tags": "a list of strings"})
        fields["tags"] = [str(t).strip() for t in fields["tags"] if str(t).strip()]
    for name in ("description", "product"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    before, after = changes(case, fields)
    if not after:
        return case
    for name, value in after.items():
        setattr(case, name, value)
    _save(case, list(after))
    record_event(case, EventType.FIELDS_CHANGED, actor=actor, before=before, after=after)
    if "priority" in after:
        _record_recompute(case, actor, reason="priority")
    if {"subject", "description", "product"} & set(after):
        search.index_case(case)
    return case


# --- the workflow -----------------------------------------------------------------------


def accept_case(case_id: int, *, actor: Actor, expected_version: int | None = None) -> Case:
    """受理: anyone who meets the contact accepts it; who and when is recorded."""

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        case.accepted_at = clock.now()
        case.accepted_by = _staff_user(actor)
        return EventType.ACCEPTED, {}, ["accepted_at", "accepted_by"]

    return _transition(case_id, actor, "accept", apply, expected_version=expected_version)


def assign_case(
    case_id: int,
    *,
    actor: Actor,
    handler: User,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """派单: choose the handler; the time from creation to first assignment is recorded."""
    if not handler.is_active:
        raise ValidationFailed("the handler is not an active user", fields={"handler": "inactive"})

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        if case.handler_id == handler.pk:
            raise Conflict(f"the case is already assigned to {handler.label}")
        now = clock.now()
        previous = case.handler_id
        case.handler = handler
        fields = ["handler"]
        if case.assigned_at is None:
            case.assigned_at = now
            case.seconds_to_assign = max(0, int((now - case.created_at).total_seconds()))
            fields += ["assigned_at", "seconds_to_assign"]
            stop_clock(case, Metric.ASSIGN, now=now)
        data: dict[str, Any] = {
            "before": {"handler": previous},
            "after": {"handler": handler.pk},
            "handler_name": handler.label,
            "reason": reason,
        }
        if "seconds_to_assign" in fields:
            data["seconds_to_assign"] = case.seconds_to_assign
        return EventType.ASSIGNED, data, fields

    return _transition(case_id, actor, "assign", apply, expected_version=expected_version)


def mark_contacted(
    case_id: int, *, actor: Actor, note: str = "", expected_version: int | None = None
) -> Case:
    """The handler contacted the customer and confirmed the problem and the request."""

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        fields: list[str] = []
        if case.first_contact_at is None:
            case.first_contact_at = clock.now()
            fields.append("first_contact_at")
            stop_clock(case, Metric.FIRST_RESPONSE, now=case.first_contact_at)
        restart_clock(case, Metric.NEXT_UPDATE, now=clock.now())
        return EventType.CONTACTED, {"note": note}, fields

    return _transition(case_id, actor, "contact", apply, expected_version=expected_version)


def await_customer(
    case_id: int, *, actor: Actor, reason: str = "", expected_version: int | None = None
) -> Case:
    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        # Waiting on the customer pauses the resolution and next-update clocks for real.
        pause_clock(case, Metric.RESOLUTION, now=clock.now())
        pause_clock(case, Metric.NEXT_UPDATE, now=clock.now())
        return EventType.AWAITING_CUSTOMER, {"reason": reason}, []

    return _transition(case_id, actor, "await_customer", apply, expected_version=expected_version)


def resume_case(
    case_id: int, *, actor: Actor, reason: str = "", expected_version: int | None = None
) -> Case:
    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        resume_clock(case, Metric.RESOLUTION, now=clock.now())
        resume_clock(case, Metric.NEXT_UPDATE, now=clock.now())
        return EventType.RESUMED, {"reason": reason}, []

    return _transition(case_id, actor, "resume", apply, expected_version=expected_version)


def resolve_case(
    case_id: int,
    *,
    actor: Actor,
    resolution: str,
    stance: str = "",
    expected_version: int | None = None,
) -> Case:
    """Agreement reached: the resolution, and for complaints the responsibility stance."""
    resolution = require_text(resolution, "resolution")

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        if case.kind.workflow in IMPROVEMENT_WORKFLOWS or stance:
            require_choice(stance, "stance", list(Stance.values))
        case.resolution, case.stance, case.resolved_at = resolution, stance, clock.now()
        # Resolved is dealt with: a case resolved straight from "accepted" owes no assignment
        # or first contact any more, so those clocks stop too (else they breach and escalate).
        for metric in (*HANDLING_METRICS, Metric.NEXT_UPDATE):
            stop_clock(case, metric, now=case.resolved_at)
        return (
            EventType.RESOLVED,
            {"after": {"stance": stance, "resolution": resolution}},
            ["resolution", "stance", "resolved_at"],
        )

    return _transition(case_id, actor, "resolve", apply, expected_version=expected_version)


def close_case(
    case_id: int,
    *,
    actor: Actor,
    cause: str = "",
    root_cause: str = "",
    improvement_needed: bool | None = None,
    responsible_person: User | None = None,
    responsible_department: Department | None = None,
    expected_version: int | None = None,
) -> Case:
    """结案. A complaint closes only with its improvement fields, and gets a return visit."""

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        now = clock.now()
        case.closed_at = now
        fields = ["closed_at"]
        after: dict[str, Any] = {}
        if case.kind.workflow in IMPROVEMENT_WORKFLOWS:
            category = _improvement_checked(
                cause, root_cause, improvement_needed, responsible_person, responsible_department
            )
            case.cause = category
            case.root_cause = root_cause.strip()
            case.improvement_needed = improvement_needed
            case.responsible_person = responsible_person
            case.responsible_department = responsible_department
            fields += [
                "cause",
                "root_cause",
                "improvement_needed",
                "responsible_person",
                "responsible_department",
            ]
            after = {
                "cause": category.code,
                "root_cause": case.root_cause,
                "improvement_needed": improvement_needed,
                "responsible_person": responsible_person.pk if responsible_person else None,
                "responsible_department": (
                    responsible_department.pk if responsible_department else None
                ),
            }
        return EventType.CLOSED, {"after": after}, fields

    def then(case: Case) -> None:
        if case.kind.workflow in IMPROVEMENT_WORKFLOWS:
            start_clocks(case, (Metric.RETURN_VISIT,), now=case.closed_at or clock.now())
            schedule_return_visit(case, actor=actor)

    return _transition(case_id, actor, "close", apply, expected_version=expected_version, then=then)


def _improvement_checked(
    cause: str,
    root_cause: str,
    improvement_needed: bool | None,
    responsible_person: User | None,
    responsible_department: Department | None,
) -> CauseCategory:
    errors: dict[str, str] = {}
    category = CauseCategory.objects.filter(code=cause, active=True).first() if cause else None
    if category is None:
        codes = CauseCategory.objects.filter(active=True).values_list("code", flat=True)
        errors["cause"] = f"one of {', '.join(codes)}"
    if not (root_cause or "").strip():
        errors["root_cause"] = "required"
    if improvement_needed is None:
        errors["improvement_needed"] = "required (true or false)"
    if (
        category is not None
        and category.is_work_quality
        and responsible_person is None
        and responsible_department is None
    ):
        errors["responsible_person"] = "required for a work-quality complaint"
    if errors:
        raise ValidationFailed(
            "closing a complaint needs its cause and root cause (改进)", fields=errors
        )
    assert category is not None
    return category


@transaction.atomic
def schedule_return_visit(case: Case, *, actor: Actor) -> ReturnVisit:
    now = clock.now()
    running = case.clocks.filter(metric=Metric.RETURN_VISIT, stopped_at__isnull=True).first()
    visit = ReturnVisit.objects.create(
        case=case,
        due_at=running.due_at
        if running is not None
        else (case.closed_at or now) + dt.timedelta(days=settings.KEFU_RETURN_VISIT_DAYS),
        created_at=now,
    )
    record_event(
        case,
        EventType.RETURN_VISIT_SCHEDULED,
        actor=Actor.system("return_visit") if actor.is_staff else actor,
        return_visit=visit.pk,
        due_at=visit.due_at,
    )
    return visit


def reopen_case(
    case_id: int, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Case:
    reason = require_text(reason, "reason")

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        case.closed_at = None
        case.resolved_at = None
        stop_clock(case, Metric.RETURN_VISIT, now=clock.now())
        start_clocks(case, (Metric.RESOLUTION,), now=clock.now())
        return EventType.REOPENED, {"reason": reason}, ["closed_at", "resolved_at"]

    return _transition(case_id, actor, "reopen", apply, expected_version=expected_version)


def escalate_case(
    case_id: int, *, actor: Actor, reason: str = "", expected_version: int | None = None
) -> Case:
    """Report upward: the team supervisor first, then the site's first responsible person."""

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        chain: list[User | None] = [
            case.team.supervisor if case.team else None,
            case.site.first_responsible if case.site else None,
        ]
        step = escalation.next_step(chain, case.escalation_level, case.escalated_to_id)
        if step is None:
            raise Conflict("the case is already escalated to the top of its chain")
        level, target = step
        previous = (case.escalation_level, case.escalated_to_id)
        case.escalation_level, case.escalated_to = level, target
        escalation.record_targets([(case.pk, target.pk, level)])
        return (
            EventType.ESCALATED,
            {
                "before": {"escalation_level": previous[0], "escalated_to": previous[1]},
                "after": {"escalation_level": level, "escalated_to": target.pk},
                "escalated_to_name": target.label,
                "reason": reason,
            },
            ["escalation_level", "escalated_to"],
        )

    return _transition(case_id, actor, "escalate", apply, expected_version=expected_version)


def transfer_case(
    case_id: int,
    *,
    actor: Actor,
    team: Team,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Hand the case to another team; it waits there for a handler."""

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        if case.team_id == team.pk:
            raise ValidationFailed("the case is already with this team", fields={"team": "same"})
        before = {"team": case.team_id, "handler": case.handler_id}
        case.team, case.site, case.handler = team, team.site, None
        _record_recompute(case, actor, reason="team")
        return (
            EventType.TRANSFERRED,
            {"before": before, "after": {"team": team.pk, "handler": None}, "reason": reason},
            ["team", "site", "handler"],
        )

    return _transition(case_id, actor, "transfer", apply, expected_version=expected_version)


def change_case_kind(
    case_id: int,
    *,
    actor: Actor,
    kind: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """An inquiry that turns into a complaint (or back): the kind changes, the number stays."""
    new_kind = _kind(kind)

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        if case.kind_id == new_kind.pk:
            raise ValidationFailed("the case is already of this kind", fields={"kind": "same"})
        before = {"kind": case.kind.code}
        case.kind, case.is_complaint = new_kind, new_kind.is_complaint
        _record_recompute(case, actor, reason="kind")
        return (
            EventType.KIND_CHANGED,
            {"before": before, "after": {"kind": new_kind.code}, "reason": reason},
            ["kind", "is_complaint"],
        )

    return _transition(case_id, actor, "change_kind", apply, expected_version=expected_version)


def record_return_visit(
    case_id: int,
    *,
    actor: Actor,
    outcome: str,
    note: str = "",
    expected_version: int | None = None,
) -> ReturnVisit:
    """回访: satisfied, not satisfied (reopens the case) or unreachable."""
    require_choice(outcome, "outcome", list(ReturnVisitOutcome.values))
    recorded: list[ReturnVisit] = []

    def apply(case: Case, _status: str) -> tuple[str, dict[str, Any], list[str]]:
        visit = case.return_visits.filter(outcome="").order_by("due_at").first()
        if visit is None:
            raise Conflict("this case has no return visit waiting for an outcome")
        visit.outcome, visit.note = outcome, (note or "").strip()
        visit.recorded_by, visit.recorded_at = _staff_user(actor), clock.now()
        visit.save(update_fields=["outcome", "note", "recorded_by", "recorded_at"])
        stop_clock(case, Metric.RETURN_VISIT, now=visit.recorded_at)
        recorded.append(visit)
        return (
            EventType.RETURN_VISIT_RECORDED,
            {"return_visit": visit.pk, "outcome": outcome, "note": visit.note},
            [],
        )

    def then(case: Case) -> None:
        if outcome != ReturnVisitOutcome.NOT_SATISFIED:
            return
        # The customer is not satisfied with the handling: the case is handled again.
        case.status, case.closed_at, case.resolved_at = CaseStatus.IN_PROGRESS, None, None
        _save(case, ["status", "closed_at", "resolved_at"])
        start_clocks(case, (Metric.RESOLUTION,), now=clock.now())
        record_event(
            case,
            EventType.REOPENED,
            actor=actor,
            before={"status": CaseStatus.CLOSED},
            after={"status": CaseStatus.IN_PROGRESS},
            reason="return visit: not satisfied",
        )

    _transition(
        case_id, actor, "record_return_visit", apply, then=then, expected_version=expected_version
    )
    return recorded[0]


# --- the conversation -------------------------------------------------------------------


@transaction.atomic
def add_message(
    case_id: int,
    *,
    actor: Actor,
    kind: str,
    body: str,
    call_direction: str = "",
    call_duration_seconds: int | None = None,
    visited_at: dt.datetime | None = None,
) -> CaseMessage:
    """A message in or out, an internal note, a call record or a visit record."""
    require_choice(kind, "kind", list(MessageKind.values))
    body = require_text(body, "body", max_length=100_000)
    if kind == MessageKind.CALL:
        require_choice(call_direction, "call_direction", list(CallDirection.values))
        if call_duration_seconds is None or call_duration_seconds < 0:
            raise ValidationFailed(
                "a call record needs its duration in seconds",
                fields={"call_duration_seconds": "a whole number ≥ 0"},
            )
    case = lock_case(case_id)
    ensure_may_perform(actor, case, "message")
    if case.status == CaseStatus.CLOSED and kind == MessageKind.OUTBOUND:
        raise Conflict("the case is closed; reopen it before replying")
    message = CaseMessage.objects.create(
        case=case,
        kind=kind,
        body=body,
        author_user=_staff_user(actor),
        author_customer_id=actor.customer_id,
        call_direction=call_direction if kind == MessageKind.CALL else "",
        call_duration_seconds=call_duration_seconds if kind == MessageKind.CALL else None,
        visited_at=(visited_at or clock.now()) if kind == MessageKind.VISIT else None,
        created_at=clock.now(),
    )
    data: dict[str, Any] = {"message": message.pk, "kind": kind, "excerpt": body[:200]}
    if kind == MessageKind.CALL:
        data.update(direction=call_direction, duration_seconds=call_duration_seconds)
    record_event(case, EventType.MESSAGE_ADDED, actor=actor, **data)
    fields: list[str] = []
    reaches_customer = kind in (MessageKind.OUTBOUND, MessageKind.CALL, MessageKind.VISIT)
    if reaches_customer and case.first_contact_at is None:
        case.first_contact_at = message.created_at
        fields.append("first_contact_at")
        stop_clock(case, Metric.FIRST_RESPONSE, now=message.created_at)
    if reaches_customer and case.status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        # Every update to the customer starts the wait for the next one afresh.
        restart_clock(case, Metric.NEXT_UPDATE, now=message.created_at)
    if kind == MessageKind.INBOUND and case.status == CaseStatus.AWAITING_CUSTOMER:
        # The customer answered: the case is back with the handler.
        case.status = CaseStatus.IN_PROGRESS
        fields.append("status")
        resume_clock(case, Metric.RESOLUTION, now=message.created_at)
        resume_clock(case, Metric.NEXT_UPDATE, now=message.created_at)
        record_event(
            case,
            EventType.RESUMED,
            actor=Actor.system("customer_replied"),
            before={"status": CaseStatus.AWAITING_CUSTOMER},
            after={"status": CaseStatus.IN_PROGRESS},
        )
    _save(case, fields)
    search.append_to_index(case, body)
    return message


@transaction.atomic
def add_attachment(
    case_id: int,
    *,
    actor: Actor,
    name: str,
    stream: IO[bytes],
    size: int,
    message: CaseMessage | None = None,
) -> Attachment:
    """Store an uploaded file (validated for size and type) as a file, never a blob."""
    head = stream.read(8192)
    stream.seek(0)
    safe_name, content_type = check_attachment(name, size, head)
    case = lock_case(case_id)
    ensure_may_perform(actor, case, "message")
    if message is not None and message.case_id != case.pk:
        raise ValidationFailed(
            "the message belongs to another case", fields={"message": "other case"}
        )
    digest = sha256_of(stream)
    attachment = Attachment(
        case=case,
        message=message,
        original_name=safe_name,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=_staff_user(actor),
        created_at=clock.now(),
    )
    attachment.file.save(safe_name, File(stream), save=False)
    attachment.save()
    record_event(
        case,
        EventType.ATTACHMENT_ADDED,
        actor=actor,
        attachment=attachment.pk,
        name=safe_name,
        size=size,
        content_type=content_type,
    )
    _save(case, [])
    return attachment


# --- time standards ----------------------------------------------------------------------
# The sweep, email delivery of notices and the recomputation after rule changes live in
# kefu/cases/sla_actions.py (the worker's batched writes); the same names here.

sweep_clocks = sla_actions.sweep_clocks
more_due_than = sla_actions.more_due_than
record_clock_warning = sla_actions.record_clock_warning
record_clock_breach = sla_actions.record_clock_breach
deliver_due_notifications = sla_actions.deliver_due_notifications
stale_clock_case_ids = sla_actions.stale_clock_case_ids
recompute_case_clocks = sla_actions.recompute_case_clocks
recompute_clocks_of_cases = sla_actions.recompute_clocks_of_cases
recompute_stale_clocks = sla_actions.recompute_stale_clocks
more_stale_than = sla_actions.more_stale_than
recompute_all_stale_clocks = sla_actions.recompute_all_stale_clocks


def change_customer_tier(customer_id: int, *, actor: Actor, tier: str) -> int:
    """A customer's tier picks its SLA policy: change it and recompute the time standards of
    the customer's open cases (each in its own short transaction). Returns how many moved."""
    customer, previous = set_customer_tier(customer_id, actor=actor, tier=tier)
    if previous == customer.tier:
        return 0
    open_ids = list(
        Case.objects.filter(customer_id=customer_id, clocks__stopped_at__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    moved = 0
    for case_id in open_ids:
        moved += bool(recompute_case_clocks(case_id, actor=actor, reason="tier"))
    return moved


def mark_notifications_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when `ids` is None)."""
    if not actor.is_staff or actor.user is None:
        raise PermissionDenied("only staff have notifications")
    qs = CaseNotification.objects.filter(recipient=actor.user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())


@transaction.atomic
def record_domain_event(case_id: int, event_type: str, *, actor: Actor, **data: Any) -> CaseEvent:
    """Another domain's fact on the service record: a survey sent or answered, an email
    delivered or failed, an assist warning overridden, a linked record. It changes nothing on
    the case itself (no version bump), so it never makes an agent's open page stale."""
    require_choice(event_type, "event_type", sorted(str(t) for t in DOMAIN_EVENT_TYPES))
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound("case not found")
    ensure_may_see(actor, case)
    return record_event(case, event_type, actor=actor, **data)


from kefu.cases.configuration import save_case_kind, save_cause_category  # noqa: E402, F401
