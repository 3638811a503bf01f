"""Reads of the channels app: the portal's view of a customer's cases, mailbox health."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from kefu.cases.choices import EventType, MessageKind
from kefu.cases.models import Attachment, Case, CaseEvent, CaseMessage
from kefu.channels.models import InboundEmail, InboundStatus, Mailbox, OutboundEmail
from kefu.core import clock
from kefu.core.errors import NotFound
from kefu.customers.models import Customer

# What a customer sees of the service record: never notes, calls or internal steps.
PUBLIC_MESSAGE_KINDS = (MessageKind.INBOUND, MessageKind.OUTBOUND)
PUBLIC_EVENTS = (
    EventType.CREATED,
    EventType.ACCEPTED,
    EventType.RESOLVED,
    EventType.CLOSED,
    EventType.REOPENED,
)


def _portal_filter(customer: Customer) -> Q:
    """The customer's own cases; a decision-chain contact of an organisation also sees the
    organisation's cases and those of its other contacts."""
    own = Q(customer_id=customer.pk)
    if customer.organisation_id is not None and customer.decision_role_id is not None:
        org = customer.organisation_id
        return own | Q(customer_id=org) | Q(customer__organisation_id=org)
    return own


def portal_customer(customer_id: int) -> Customer | None:
    return Customer.objects.filter(pk=customer_id).select_related("decision_role").first()


def portal_cases(customer: Customer) -> QuerySet[Case]:
    return (
        Case.objects.filter(_portal_filter(customer))
        .select_related("kind", "customer")
        .order_by("-created_at", "-id")
    )


def portal_case(customer: Customer, number: str) -> Case:
    """One case by its number, or NotFound (also when it is someone else's: 404, not 403)."""
    case = portal_cases(customer).filter(number=number).first()
    if case is None:
        raise NotFound("case not found")
    return case


def portal_attachment(customer: Customer, number: str, attachment_id: int) -> Attachment:
    case = portal_case(customer, number)
    found = Attachment.objects.filter(
        pk=attachment_id, case=case, message__kind__in=PUBLIC_MESSAGE_KINDS
    ).first()
    if found is None:
        raise NotFound("file not found")
    return found


@dataclass
class PublicEntry:
    at: dt.datetime
    kind: str  # "inbound", "outbound" or an event type
    body: str = ""
    mine: bool = False
    attachments: list[Attachment] | None = None


def public_timeline(case: Case) -> list[PublicEntry]:
    messages = list(
        CaseMessage.objects.filter(case=case, kind__in=PUBLIC_MESSAGE_KINDS)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    entries = [
        PublicEntry(
            at=m.created_at,
            kind=m.kind,
            body=m.body,
            mine=m.kind == MessageKind.INBOUND,
            attachments=list(m.attachments.all()),
        )
        for m in messages
    ]
    for event in CaseEvent.objects.filter(case=case, type__in=PUBLIC_EVENTS).order_by("at", "id"):
        entries.append(PublicEntry(at=event.at, kind=event.type))
    return sorted(entries, key=lambda e: e.at)


def reopen_deadline(case: Case) -> dt.datetime | None:
    done = case.closed_at or case.resolved_at
    if done is None:
        return None
    return done + dt.timedelta(days=settings.KEFU_PORTAL_REOPEN_DAYS)


def may_reopen(case: Case) -> bool:
    deadline = reopen_deadline(case)
    return deadline is not None and clock.now() <= deadline


@dataclass
class MailboxHealth:
    mailbox: Mailbox
    quarantined: int
    stale: bool


def mailbox_health() -> list[MailboxHealth]:
    limit = clock.now() - dt.timedelta(minutes=settings.KEFU_MAILBOX_STALE_MINUTES)
    counts = dict(
        InboundEmail.objects.filter(status=InboundStatus.QUARANTINED)
        .values_list("mailbox")
        .annotate(n=Count("id"))
        .values_list("mailbox", "n")
    )
    return [
        MailboxHealth(
            mailbox=m,
            quarantined=counts.get(m.pk, 0),
            stale=m.active
            and m.polls_imap
            and (m.last_success_at is None or m.last_success_at < limit)
            and m.created_at < limit,
        )
        for m in Mailbox.objects.order_by("name")
    ]


@dataclass
class CaseEmails:
    inbound: list[InboundEmail]
    outbound: list[OutboundEmail]


def case_emails(case: Case) -> CaseEmails:
    """The emails of a case as received (sanitised HTML) and as sent (with their outcome)."""
    return CaseEmails(
        inbound=list(
            InboundEmail.objects.filter(case=case)
            .select_related("case_message")
            .order_by("received_at")
        ),
        outbound=list(OutboundEmail.objects.filter(case=case).order_by("created_at")),
    )


def quarantined_emails(limit: int = 200) -> QuerySet[InboundEmail]:
    return (
        InboundEmail.objects.filter(status=InboundStatus.QUARANTINED)
        .select_related("mailbox")
        .order_by("-received_at")[:limit]
    )
