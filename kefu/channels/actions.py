"""Every write of the channels app: email ingest and quarantine, mailbox health, replies
sent by email. Case changes go through kefu.cases.actions only.

Nothing lost, nothing twice: an email is stored in one transaction together with the
mailbox's progress (last UID), and is unique per (mailbox, UIDVALIDITY, UID) and per
Message-ID. A message that cannot be stored is quarantined with its raw source and the
reason, and the mailbox moves on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from kefu.accounts.actors import Actor, ActorKind
from kefu.accounts.audit import changed_fields, record_configuration_event
from kefu.accounts.choices import Role
from kefu.accounts.models import Site, Team
from kefu.accounts.roles import may_take_contacts
from kefu.cases import actions as case_actions
from kefu.cases.choices import CaseStatus, Channel, EventType, MessageKind
from kefu.cases.models import Case, CaseKind, CaseMessage
from kefu.cases.validation import require_choice, require_text
from kefu.channels.faults import checkpoint
from kefu.channels.models import (
    ImapSecurity,
    InboundEmail,
    InboundStatus,
    Mailbox,
    OutboundEmail,
    OutboundStatus,
    PortalPassword,
    WebSubmission,
)
from kefu.channels.parse import ParsedEmail, Unparseable, parse_email
from kefu.core import clock
from kefu.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kefu.core.links import public_link
from kefu.customers.actions import find_or_create_customer, record_customer_event
from kefu.customers.choices import CustomerEventType
from kefu.customers.models import Customer

logger = logging.getLogger("kefu.channels")
EMAIL = Actor.system("email")
CASE_NUMBER = re.compile(r"\b([A-Z]{2,6}-\d{4}-\d{6})\b")
NO_SUBJECT = "（无主题）"
NO_BODY = "（邮件无正文）"
MAX_BODY = 100_000
# A reply recorded longer ago than this (replayed history) is not emailed when it commits.
REPLAYED = dt.timedelta(days=1)


@dataclass(frozen=True)
class IngestResult:
    status: str  # an InboundStatus, or "duplicate"
    inbound_id: int | None = None
    case_id: int | None = None

    @property
    def duplicate(self) -> bool:
        return self.status == "duplicate"


# --- mailbox progress and health -----------------------------------------------------------


# -- mailboxes -----------------------------------------------------------------------------

MAILBOX_FIELDS = [
    "name",
    "address",
    "active",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_folder",
    "team_id",
    "default_kind",
]


@dataclass(frozen=True)
class MailboxInput:
    name: str
    address: str
    active: bool = True
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = ImapSecurity.SSL
    imap_username: str = ""
    imap_folder: str = "INBOX"
    team: Team | None = None
    default_kind: str = "inquiry"


def save_mailbox(
    data: MailboxInput,
    *,
    actor: Actor,
    password: str | None = None,
    mailbox_id: int | None = None,
) -> Mailbox:
    """Create a mailbox or change one (administrators). `password` None keeps the stored
    IMAP password. The configuration record says whether the password changed, never
    what it is (it is stored encrypted on the mailbox only)."""
    admin = actor.is_staff and actor.user is not None and actor.user.role == Role.ADMIN
    if not (admin or actor.kind == ActorKind.SYSTEM):
        raise PermissionDenied("only administrators configure mailboxes")
    name = require_text(data.name, "name", max_length=100)
    address = require_text(data.address, "address", max_length=254)
    require_choice(data.imap_security, "imap_security", list(ImapSecurity.values))
    if not CaseKind.objects.filter(code=data.default_kind).exists():
        raise ValidationFailed("unknown case kind", fields={"default_kind": "unknown"})
    with transaction.atomic():
        same_address = Mailbox.objects.filter(address=address)
        if mailbox_id is not None:
            same_address = same_address.exclude(pk=mailbox_id)
        if same_address.exists():
            raise ValidationFailed("another mailbox has this address", fields={"address": "taken"})
        before: dict[str, object] = {}
        if mailbox_id is None:
            row = Mailbox()
        else:
            found = Mailbox.objects.select_for_update().filter(pk=mailbox_id).first()
            if found is None:
                raise NotFound("mailbox not found")
            row = found
            before = {f: getattr(row, f) for f in MAILBOX_FIELDS}
        old_password = row.imap_password
        row.name, row.address, row.active = name, address, data.active
        row.imap_host, row.imap_port = data.imap_host.strip(), data.imap_port
        row.imap_security, row.imap_username = data.imap_security, data.imap_username.strip()
        row.imap_folder = data.imap_folder.strip() or "INBOX"
        row.team, row.default_kind = data.team, data.default_kind
        if password is not None:
            row.imap_password = password
        password_changed = row.imap_password != old_password
        row.save()
        if mailbox_id is None:
            after = {f: getattr(row, f) for f in MAILBOX_FIELDS}
            record_configuration_event(
                row, "created", actor=actor, after=after, password_set=bool(row.imap_password)
            )
        else:
            changes = changed_fields(row, before, MAILBOX_FIELDS)
            if changes["before"] or password_changed:
                record_configuration_event(
                    row, "changed", actor=actor, password_changed=password_changed, **changes
                )
    return row


def start_uid_epoch(mailbox_id: int, uidvalidity: int) -> bool:
    """A new UIDVALIDITY means the server renumbered the folder: start again from UID 0
    (the Message-IDs already stored keep the old messages from coming in twice)."""
    changed = (
        Mailbox.objects.filter(pk=mailbox_id)
        .exclude(uidvalidity=uidvalidity)
        .update(uidvalidity=uidvalidity, last_uid=0)
    )
    return bool(changed)


def _advance(mailbox: Mailbox, uidvalidity: int | None, uid: int | None) -> None:
    if uid is None:
        return
    Mailbox.objects.filter(pk=mailbox.pk, uidvalidity=uidvalidity, last_uid__lt=uid).update(
        last_uid=uid
    )


def record_fetch_success(mailbox_id: int, *, backlog: int) -> None:
    now = clock.now()
    Mailbox.objects.filter(pk=mailbox_id).update(
        last_fetch_at=now, last_success_at=now, backlog=backlog, stale_alerted_at=None
    )


def record_fetch_error(mailbox_id: int, error: str) -> None:
    now = clock.now()
    Mailbox.objects.filter(pk=mailbox_id).update(
        last_fetch_at=now, last_error_at=now, last_error=error[:2000]
    )


def alert_stale_mailboxes(*, now: dt.datetime | None = None) -> list[int]:
    """Mailboxes that have not fetched successfully for KEFU_MAILBOX_STALE_MINUTES: alert
    once (an error in the log, the mark on the admin's mailbox list) until they recover."""
    now = now or clock.now()
    limit = now - dt.timedelta(minutes=settings.KEFU_MAILBOX_STALE_MINUTES)
    stale = list(
        Mailbox.objects.filter(active=True, stale_alerted_at__isnull=True)
        .exclude(imap_host="")
        .filter(created_at__lt=limit)
        .exclude(last_success_at__gte=limit)
        .values_list("pk", "address", "last_success_at")
    )
    for _pk, address, last in stale:
        logger.error("mailbox %s has not fetched since %s", address, last or "it was created")
    Mailbox.objects.filter(pk__in=[s[0] for s in stale]).update(stale_alerted_at=now)
    return [s[0] for s in stale]


# --- ingest -------------------------------------------------------------------------------


def _raw_name(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32] + ".eml"


def _known_by_uid(mailbox: Mailbox, uidvalidity: int | None, uid: int | None) -> bool:
    return (
        uid is not None
        and InboundEmail.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid).exists()
    )


def ingest_email(
    mailbox_id: int,
    raw: bytes,
    *,
    source: str = "imap",
    uidvalidity: int | None = None,
    uid: int | None = None,
    channel: str = Channel.EMAIL,
) -> IngestResult:
    """Store one received email: a reply on its case, a new case, a recorded auto-reply, or
    quarantine. Idempotent: the same UID or Message-ID again returns "duplicate"."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound("mailbox not found")
    if _known_by_uid(mailbox, uidvalidity, uid):
        _advance(mailbox, uidvalidity, uid)
        return IngestResult("duplicate")
    row = InboundEmail(
        mailbox=mailbox,
        source=source,
        uidvalidity=uidvalidity if uid is not None else None,
        uid=uid,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        received_at=clock.now(),
    )
    try:
        parsed = parse_email(raw)
    except Unparseable as exc:
        return _quarantine(row, raw, str(exc))
    checkpoint("parse")
    row.message_id = parsed.message_id
    row.subject = parsed.subject[:300]
    row.from_address = parsed.from_address[:254]
    if parsed.message_id and InboundEmail.objects.filter(message_id=parsed.message_id).exists():
        _advance(mailbox, uidvalidity, uid)
        return IngestResult("duplicate")
    try:
        with transaction.atomic():
            result = _store(row, parsed, channel=channel)
            _advance(mailbox, uidvalidity, uid)
            checkpoint("store")
            return result
    except IntegrityError:
        # Stored by a concurrent run (same UID or Message-ID): the unique constraints decide.
        if _known_by_uid(mailbox, uidvalidity, uid) or (
            parsed.message_id and InboundEmail.objects.filter(message_id=parsed.message_id).exists()
        ):
            return IngestResult("duplicate")
        return _quarantine(row, raw, "could not store: integrity error")
    except OperationalError:
        raise  # the database is unavailable: the mailbox retries this UID next time
    except (DomainError, ValueError) as exc:
        return _quarantine(row, raw, f"could not store: {exc}")
    except Exception as exc:
        logger.exception("email %s quarantined", row.message_id or row.sha256)
        return _quarantine(row, raw, f"could not store: {type(exc).__name__}: {exc}")


def _quarantine(row: InboundEmail, raw: bytes, reason: str) -> IngestResult:
    # Forget whatever a rolled-back attempt assigned (its id, case, message).
    row.pk = None
    row.case = None
    row.case_message = None
    with transaction.atomic():
        row.status = InboundStatus.QUARANTINED
        row.reason = reason[:2000]
        row.raw.save(_raw_name(raw), ContentFile(raw), save=False)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # Its Message-ID is already stored (the same mail under another UID): drop the
            # key so the quarantined copy is still kept for the admin.
            row.message_id = ""
            row.save()
        _advance(row.mailbox, row.uidvalidity, row.uid)
    logger.warning("email quarantined (%s): %s", row.mailbox.address, reason)
    return IngestResult(InboundStatus.QUARANTINED, row.pk)


def _referenced_case(parsed: ParsedEmail) -> Case | None:
    """The case a reply belongs to: by In-Reply-To / References, else None."""
    ids = parsed.thread_ids
    if not ids:
        return None
    out = (
        OutboundEmail.objects.filter(message_id__in=ids).select_related("case").first()
    )  # our own replies
    if out is not None:
        return out.case
    inbound = (
        InboundEmail.objects.filter(message_id__in=ids, case__isnull=False)
        .select_related("case")
        .first()
    )
    return inbound.case if inbound is not None else None


def _numbered_case(parsed: ParsedEmail, customer: Customer) -> Case | None:
    """A case number in the subject counts only for that case's own customer (a guessed
    number from a stranger opens a new case instead)."""
    for number in CASE_NUMBER.findall(parsed.subject):
        case = Case.objects.filter(number=number, customer=customer).first()
        if case is not None:
            return case
    return None


def _customer_for(parsed: ParsedEmail) -> Customer:
    name = parsed.from_name.strip() or parsed.from_address.split("@")[0]
    return find_or_create_customer(actor=EMAIL, name=name[:200], email=parsed.from_address)


def infer_kind(text: str, subject: str, default: str) -> str:
    """The case kind the assist analyzer reads in the message, else the mailbox default."""
    if settings.KEFU_EMAIL_INFER_KIND and text.strip():
        try:
            from kefu.assist.analyze import MAX_TEXT, analyze

            found = analyze(text[:MAX_TEXT], "customer", channel="email", subject=subject)
            kind = found.get("kind") or {}
            if (
                kind.get("confidence", 0) >= 0.5
                and CaseKind.objects.filter(code=kind.get("label"), active=True).exists()
            ):
                return str(kind["label"])
        except Exception:
            logger.warning("kind inference failed; using the mailbox default", exc_info=True)
    return default


def _store(row: InboundEmail, parsed: ParsedEmail, *, channel: str = Channel.EMAIL) -> IngestResult:
    """Inside the ingest transaction: decide where the email goes and write it."""
    mailbox = row.mailbox
    row.html = parsed.html
    if parsed.bounce or parsed.auto_reply:
        row.status = InboundStatus.IGNORED
        row.reason = "bounce" if parsed.bounce else f"auto-reply ({parsed.auto_reply})"
        case = _referenced_case(parsed)
        row.case = case
        row.save()
        if case is not None and parsed.bounce:
            case_actions.record_domain_event(
                case.pk,
                EventType.EMAIL_FAILED,
                actor=EMAIL,
                reason="bounce",
                subject=parsed.subject[:200],
                inbound=row.pk,
            )
        return IngestResult(InboundStatus.IGNORED, row.pk, case.pk if case else None)
    case = _referenced_case(parsed)
    customer = case.customer if case is not None else _customer_for(parsed)
    if case is None:
        case = _numbered_case(parsed, customer)
    body = (parsed.reply_text or parsed.text).strip()[:MAX_BODY] or NO_BODY
    if case is not None and case.status == CaseStatus.CLOSED:
        body = f"{body}\n\n（此邮件回复已结案的工单 {case.number}）"[:MAX_BODY]
        case = None  # a closed case is not reopened by mail: a new case references it
    if case is None:
        kind = infer_kind(body, parsed.subject, mailbox.default_kind)
        team = mailbox.team
        case = case_actions.open_case(
            actor=EMAIL,
            kind=kind,
            channel=channel,
            subject=(parsed.subject or NO_SUBJECT)[:200],
            customer=customer,
            description=body[:2000],
            team=team,
            site=team.site if team is not None else None,
        )
        row.status = InboundStatus.NEW_CASE
    else:
        row.status = InboundStatus.THREADED
    message = case_actions.add_message(case.pk, actor=EMAIL, kind=MessageKind.INBOUND, body=body)
    row.case = case
    row.case_message = message
    row.save()
    skipped = store_attachments(case.pk, message, parsed)
    if skipped:
        row.reason = "; ".join(skipped)[:2000]
        row.save(update_fields=["reason"])
    return IngestResult(row.status, row.pk, case.pk)


def store_attachments(case_id: int, message: CaseMessage, parsed: ParsedEmail) -> list[str]:
    """Attachments and inline images through the case action (its size and type checks);
    one that is refused is named in the returned notes and does not stop the rest."""
    skipped: list[str] = []
    for att in parsed.attachments:
        try:
            with transaction.atomic():
                case_actions.add_attachment(
                    case_id,
                    actor=EMAIL,
                    name=att.name,
                    stream=io.BytesIO(att.data),
                    size=len(att.data),
                    message=message,
                )
        except ValidationFailed as exc:
            skipped.append(f"{att.name}: {exc}")
    return skipped


def retry_quarantined(inbound_id: int, *, actor: Actor) -> IngestResult:
    """An admin retries a quarantined email (after a fix, or to accept it as it is)."""
    if not (actor.is_staff and actor.user is not None and actor.user.role == Role.ADMIN):
        raise PermissionDenied("only administrators retry quarantined email")
    row = InboundEmail.objects.filter(pk=inbound_id).select_related("mailbox").first()
    if row is None:
        raise NotFound("email not found")
    if row.status != InboundStatus.QUARANTINED:
        raise ValidationFailed("the email is not in quarantine", fields={"status": row.status})
    with row.raw.open("rb") as f:
        raw = f.read()
    try:
        parsed = parse_email(raw)
    except Unparseable as exc:
        InboundEmail.objects.filter(pk=row.pk).update(reason=f"retry failed: {exc}"[:2000])
        return IngestResult(InboundStatus.QUARANTINED, row.pk)
    try:
        with transaction.atomic():
            row.subject = parsed.subject[:300]
            row.from_address = parsed.from_address[:254]
            row.reason = ""
            return _store(
                row, parsed, channel=Channel.WEB if row.source == "web" else Channel.EMAIL
            )
    except (DomainError, ValueError, IntegrityError) as exc:
        InboundEmail.objects.filter(pk=row.pk).update(reason=f"retry failed: {exc}"[:2000])
        return IngestResult(InboundStatus.QUARANTINED, row.pk)


# --- email out ----------------------------------------------------------------------------


def reply_address(case: Case) -> str:
    """Where a reply on this case goes: the address the customer last wrote from, else the
    customer's primary email for cases that came in by email or on the web."""
    last = (
        InboundEmail.objects.filter(case=case, case_message__isnull=False)
        .order_by("-received_at", "-id")
        .values_list("from_address", flat=True)
        .first()
    )
    if last:
        return last
    if case.channel in (Channel.EMAIL, Channel.WEB):
        return case.customer.primary_email
    return ""


def case_mailbox(case: Case) -> Mailbox | None:
    first = (
        InboundEmail.objects.filter(case=case)
        .select_related("mailbox")
        .order_by("received_at", "id")
        .first()
    )
    if first is not None:
        return first.mailbox
    return Mailbox.objects.filter(active=True).order_by("pk").first()


def on_case_event(event: object) -> bool:
    """Receiver of kefu.cases.signals.case_event_committed: an outbound reply on a case we
    can email is queued for delivery. Returns whether it queued one."""
    from kefu.channels.tasks import send_reply_task

    data = getattr(event, "data", {}) or {}
    if getattr(event, "type", "") != EventType.MESSAGE_ADDED:
        return False
    at = getattr(event, "at", None)
    if at is not None and at < timezone.now() - REPLAYED:
        return False  # history replayed by the demo loader is not mailed out now
    if data.get("kind") != MessageKind.OUTBOUND or not data.get("message"):
        return False
    case = Case.objects.select_related("customer").get(pk=event.case_id)  # type: ignore[attr-defined]
    if not reply_address(case):
        return False
    send_reply_task(int(data["message"]))
    return True


def _prepare_outbound(message: CaseMessage) -> OutboundEmail | None:
    from kefu.channels.outgoing import new_message_id, reply_subject

    existing = OutboundEmail.objects.filter(case_message=message).first()
    if existing is not None:
        return existing
    case = message.case
    to = reply_address(case)
    if not to:
        return None
    mailbox = case_mailbox(case)
    try:
        with transaction.atomic():
            return OutboundEmail.objects.create(
                case=case,
                case_message=message,
                mailbox=mailbox,
                message_id=new_message_id(mailbox.address if mailbox else ""),
                to_address=to,
                subject=reply_subject(case),
                created_at=clock.now(),
            )
    except IntegrityError:
        return OutboundEmail.objects.filter(case_message=message).first()


def send_reply(message_id: int, *, final: bool = True) -> str:
    """Send one outbound case message by email (the worker calls this, with retries).

    The Message-ID is chosen once and kept, so a retry after an uncertain failure threads
    the same way and mail clients drop the duplicate. Returns the OutboundEmail status.
    """
    from kefu.channels.outgoing import build_reply

    message = (
        CaseMessage.objects.select_related("case", "case__customer", "author_user")
        .filter(pk=message_id, kind=MessageKind.OUTBOUND)
        .first()
    )
    if message is None:
        raise NotFound("outbound message not found")
    out = _prepare_outbound(message)
    if out is None:
        return "no_address"
    if out.status == OutboundStatus.SENT:
        return out.status
    email = build_reply(out, message)
    try:
        email.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        status = OutboundStatus.FAILED if final else OutboundStatus.PENDING
        with transaction.atomic():
            OutboundEmail.objects.filter(pk=out.pk).update(
                attempts=out.attempts + 1, last_error=error, status=status
            )
            if final:
                case_actions.record_domain_event(
                    out.case_id,
                    EventType.EMAIL_FAILED,
                    actor=EMAIL,
                    message=message.pk,
                    to=out.to_address,
                    error=error[:300],
                    attempts=out.attempts + 1,
                )
        raise
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=out.pk).update(
            attempts=out.attempts + 1, status=OutboundStatus.SENT, sent_at=clock.now()
        )
        case_actions.record_domain_event(
            out.case_id,
            EventType.EMAIL_SENT,
            actor=EMAIL,
            message=message.pk,
            to=out.to_address,
            message_id=out.message_id,
        )
    return OutboundStatus.SENT


# --- the customer portal and the public web form -----------------------------------------


def _customer_by_email(address: str) -> Customer | None:
    address = (address or "").strip()
    if "@" not in address:
        return None
    return Customer.objects.filter(emails__address__iexact=address).first()


def _rate_limited(key: str) -> bool:
    """At most KEFU_WEBFORM_PER_HOUR requests per key (IP or email) per hour."""
    from django.core.cache import cache

    cache_key = f"kefu.channels.rate:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    cache.add(cache_key, 0, timeout=3600)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=3600)
        count = 1
    return count > settings.KEFU_WEBFORM_PER_HOUR


MIN_PASSWORD = 8


def set_portal_password(customer_id: int, password: str, *, actor: Actor) -> None:
    """Set (or change) a customer's optional portal password: the signed-in customer
    themselves, or staff who may change customer records. The customer's record says who
    set it and when, never the password or its hash."""
    from django.contrib.auth.hashers import make_password

    if actor.kind == ActorKind.CUSTOMER and actor.customer_id != customer_id:
        raise PermissionDenied("a customer sets only their own portal password")
    if actor.is_staff and actor.user is not None and not may_take_contacts(actor.user):
        raise PermissionDenied("your role may not change customer records")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(
            "the password is too short", fields={"password": f"at least {MIN_PASSWORD} characters"}
        )
    with transaction.atomic():
        if not Customer.objects.filter(pk=customer_id).exists():
            raise NotFound("customer not found")
        _, created = PortalPassword.objects.update_or_create(
            customer_id=customer_id,
            defaults={"password": make_password(password), "updated_at": clock.now()},
        )
        record_customer_event(
            customer_id, CustomerEventType.PORTAL_PASSWORD_SET, actor=actor, first=created
        )


def check_portal_password(email: str, password: str, *, ip: str) -> Customer | None:
    """The customer for this address and password, else None (rate limited like links)."""
    from django.contrib.auth.hashers import check_password

    if _rate_limited(f"ip:{ip}") or _rate_limited(f"email:{email.strip().lower()}"):
        raise ValidationFailed("too many requests", fields={"email": "rate limited"})
    customer = _customer_by_email(email)
    stored = PortalPassword.objects.filter(customer=customer).first() if customer else None
    if stored is None or not check_password(password or "", stored.password):
        return None
    return customer


def _send_link_mail(to: str, subject_msgid: str, template: str, url: str) -> None:
    from kefu.channels.tasks import send_link_mail_task

    transaction.on_commit(lambda: send_link_mail_task(to, subject_msgid, template, url))


def request_sign_in_link(email: str, *, ip: str) -> bool:
    """Email a sign-in link to a known customer. The answer the visitor sees is the same
    either way (no probing for addresses); returns whether a link was sent."""
    from kefu.channels import tokens

    if _rate_limited(f"ip:{ip}") or _rate_limited(f"email:{email.strip().lower()}"):
        raise ValidationFailed("too many requests", fields={"email": "rate limited"})
    customer = _customer_by_email(email)
    if customer is None:
        return False
    token = tokens.make(tokens.SIGN_IN, customer.pk)
    url = public_link("channels:portal_magic_link", token)
    _send_link_mail(email.strip(), "sign_in", "channels/email/sign_in.txt", url)
    return True


def _intake_team() -> tuple[Team | None, Site | None]:
    """Web cases go to the team of the first active mailbox (the support desk), if any."""
    mailbox = (
        Mailbox.objects.filter(active=True, team__isnull=False)
        .select_related("team__site")
        .order_by("pk")
        .first()
    )
    if mailbox is None or mailbox.team is None:
        return None, None
    return mailbox.team, mailbox.team.site


def _require_files(files: list[tuple[str, IO[bytes], int]]) -> None:
    from kefu.cases.validation import check_attachment

    for name, stream, size in files:
        head = stream.read(8192)
        stream.seek(0)
        check_attachment(name, size, head)


def portal_submit_case(
    customer_id: int,
    *,
    subject: str,
    body: str,
    files: list[tuple[str, IO[bytes], int]] | None = None,
) -> Case:
    """A signed-in customer opens a case on the portal (channel web), with attachments."""
    actor = Actor.customer(customer_id)
    customer = Customer.objects.get(pk=customer_id)
    subject = require_text(subject, "subject", max_length=200)
    body = require_text(body, "body", max_length=MAX_BODY)
    files = files or []
    _require_files(files)  # refuse before anything is written
    with transaction.atomic():
        kind = infer_kind(body, subject, "inquiry")
        team, site = _intake_team()
        case = case_actions.open_case(
            actor=actor,
            kind=kind,
            channel=Channel.WEB,
            subject=subject,
            customer=customer,
            description=body[:2000],
            team=team,
            site=site,
        )
        message = case_actions.add_message(
            case.pk, actor=actor, kind=MessageKind.INBOUND, body=body
        )
        for name, stream, size in files:
            case_actions.add_attachment(
                case.pk, actor=actor, name=name, stream=stream, size=size, message=message
            )
    return case


def portal_reply(
    customer_id: int,
    number: str,
    *,
    body: str,
    files: list[tuple[str, IO[bytes], int]] | None = None,
) -> CaseMessage:
    from kefu.channels.selectors import portal_case, portal_customer

    customer = portal_customer(customer_id)
    if customer is None:
        raise NotFound("customer not found")
    case = portal_case(customer, number)
    if case.status == CaseStatus.CLOSED:
        raise ValidationFailed("the case is closed", fields={"body": "closed"})
    files = files or []
    _require_files(files)
    actor = Actor.customer(customer_id)
    with transaction.atomic():
        message = case_actions.add_message(
            case.pk, actor=actor, kind=MessageKind.INBOUND, body=body
        )
        for name, stream, size in files:
            case_actions.add_attachment(
                case.pk, actor=actor, name=name, stream=stream, size=size, message=message
            )
    return message


CONFIRMED_NOTE = "客户在门户确认问题已解决。"


def portal_confirm(customer_id: int, number: str) -> Case:
    """The customer confirms the resolution: a standard case closes; a complaint (which
    closes only with its improvement fields) gets the confirmation on record for staff."""
    from kefu.cases.transitions import IMPROVEMENT_WORKFLOWS
    from kefu.channels.selectors import portal_case, portal_customer

    customer = portal_customer(customer_id)
    if customer is None:
        raise NotFound("customer not found")
    case = portal_case(customer, number)
    if case.status != CaseStatus.RESOLVED:
        raise ValidationFailed(
            "the case is not awaiting confirmation", fields={"status": case.status}
        )
    actor = Actor.customer(customer_id)
    if case.kind.workflow in IMPROVEMENT_WORKFLOWS:
        case_actions.add_message(
            case.pk, actor=actor, kind=MessageKind.INBOUND, body=CONFIRMED_NOTE
        )
        return Case.objects.get(pk=case.pk)
    return case_actions.close_case(case.pk, actor=actor)


def portal_reopen(customer_id: int, number: str, *, reason: str) -> Case:
    from kefu.channels.selectors import may_reopen, portal_case, portal_customer

    customer = portal_customer(customer_id)
    if customer is None:
        raise NotFound("customer not found")
    case = portal_case(customer, number)
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or not may_reopen(case):
        raise ValidationFailed(
            "the case can no longer be reopened here", fields={"reason": "window closed"}
        )
    return case_actions.reopen_case(case.pk, actor=Actor.customer(customer_id), reason=reason)


def submit_web_form(*, name: str, email: str, subject: str, body: str, ip: str) -> WebSubmission:
    """The public form: kept until the sender confirms the address from the emailed link."""
    from kefu.channels import tokens
    from kefu.customers.normalize import normalize_email

    errors: dict[str, str] = {}
    try:
        address = normalize_email(email)
    except ValueError:
        errors["email"] = "invalid"
        address = ""
    if errors:
        raise ValidationFailed("invalid email address", fields=errors)
    if _rate_limited(f"ip:{ip}") or _rate_limited(f"email:{address}"):
        raise ValidationFailed("too many requests", fields={"email": "rate limited"})
    submission = WebSubmission.objects.create(
        name=require_text(name, "name", max_length=200),
        email=address,
        subject=require_text(subject, "subject", max_length=200),
        body=require_text(body, "body", max_length=20_000),
        created_at=clock.now(),
    )
    token = tokens.make(tokens.CONFIRM, submission.pk)
    url = public_link("channels:contact_confirm", token)
    _send_link_mail(address, "confirm", "channels/email/confirm.txt", url)
    return submission


@transaction.atomic
def confirm_web_submission(token: str) -> Case:
    """The sender clicked the link: the request becomes a case (once)."""
    from kefu.channels import tokens

    pk = tokens.read(tokens.CONFIRM, token)
    submission = WebSubmission.objects.select_for_update().filter(pk=pk).first() if pk else None
    if submission is None:
        raise NotFound("the link is invalid or has expired")
    if submission.case_id is not None:
        return submission.case  # type: ignore[return-value]
    mailbox = Mailbox.objects.filter(active=True).order_by("pk").first()
    if mailbox is not None:
        # The same ingest path as email: threading, customer, kind, idempotency by Message-ID.
        result = ingest_email(
            mailbox.pk, _submission_mime(submission), source="web", channel=Channel.WEB
        )
        found = Case.objects.filter(pk=result.case_id).first() if result.case_id else None
        if found is None:
            raise ValidationFailed("the request could not be stored", fields={"token": "retry"})
        case = found
    else:
        customer = find_or_create_customer(
            actor=EMAIL, name=submission.name, email=submission.email
        )
        actor = Actor.customer(customer.pk)
        case = case_actions.open_case(
            actor=actor,
            kind=infer_kind(submission.body, submission.subject, "inquiry"),
            channel=Channel.WEB,
            subject=submission.subject,
            customer=customer,
            description=submission.body[:2000],
        )
        case_actions.add_message(
            case.pk, actor=actor, kind=MessageKind.INBOUND, body=submission.body
        )
    submission.case = case
    submission.confirmed_at = clock.now()
    submission.save(update_fields=["case", "confirmed_at"])
    return case


def _submission_mime(submission: WebSubmission) -> bytes:
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage()
    msg["From"] = Address(display_name=submission.name, addr_spec=submission.email)
    msg["Subject"] = submission.subject
    msg["Message-ID"] = f"<web-{submission.pk}@kefu.portal>"
    msg["Date"] = format_datetime(submission.created_at)
    msg.set_content(submission.body)
    return msg.as_bytes()


def send_link_mail(to: str, purpose: str, template: str, url: str) -> None:
    """A bilingual mail with one link (sign-in or confirmation)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    parts, subjects = [], []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            parts.append(render_to_string(template, {"url": url}).strip())
            subjects.append(_("登录客户门户") if purpose == "sign_in" else _("请确认您的咨询"))
    send_mail(" / ".join(subjects), "\n\n----\n\n".join(parts) + "\n", None, [to])
