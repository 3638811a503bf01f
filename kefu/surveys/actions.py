"""Every write of the surveys domain: design, distribution, answers, closed loop, benchmarks."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import secrets
import zoneinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.accounts.actors import Actor
from kefu.accounts.audit import changed_fields, record_configuration_event
from kefu.accounts.models import User
from kefu.cases import actions as case_actions
from kefu.cases.models import Case, CaseEvent, CaseKind
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kefu.core.links import public_link
from kefu.core.tasks import enqueue_on_commit
from kefu.customers.models import Customer, CustomerKind
from kefu.surveys import definition as qdef
from kefu.surveys import permissions
from kefu.surveys.models import (
    DeliveryChannel,
    IndexGroup,
    Invitation,
    InvitationState,
    OutboxMessage,
    PeerFigure,
    RelationshipWave,
    Response,
    ResponseItem,
    Survey,
    SurveyPurpose,
    SurveyRollup,
    SurveyVersion,
    Trigger,
)

logger = logging.getLogger("kefu.surveys")

SYSTEM = Actor.system("surveys")
METRICS = ("csat", "nps", "ces", "index")
# An open answer counts as a complaint from this classifier confidence on.
COMPLAINT_CONFIDENCE = 0.45


class TokenExpired(Conflict):
    code = "survey_expired"


def _staff(actor: Actor) -> User:
    if not actor.is_staff or actor.user is None:
        raise PermissionDenied("only staff may do this")
    return actor.user


def _designer(actor: Actor) -> User:
    user = _staff(actor)
    if not permissions.may_design(user):
        raise PermissionDenied("your role may not design or distribute surveys")
    return user


# --- design --------------------------------------------------------------------------------


def _survey_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in ("title_zh", "title_en"):
        if name in fields:
            out[name] = str(fields[name] or "").strip()[:200]
    if "title_zh" in out and not out["title_zh"]:
        errors["title_zh"] = "required"
    if "purpose" in fields:
        if fields["purpose"] not in SurveyPurpose.values:
            errors["purpose"] = f"one of {', '.join(SurveyPurpose.values)}"
        out["purpose"] = fields["purpose"]
    for name in ("anonymous", "active", "on_return_visit"):
        if name in fields:
            out[name] = bool(fields[name])
    if "closed_kinds" in fields:
        kinds = [str(k) for k in fields["closed_kinds"] or []]
        known = set(CaseKind.objects.values_list("code", flat=True))
        if set(kinds) - known:
            errors["closed_kinds"] = f"unknown kinds: {', '.join(sorted(set(kinds) - known))}"
        out["closed_kinds"] = kinds
    if "channels" in fields:
        channels = [str(c) for c in fields["channels"] or []]
        if set(channels) - set(DeliveryChannel.values):
            errors["channels"] = f"from {', '.join(DeliveryChannel.values)}"
        out["channels"] = channels
    for name, low, high in (
        ("expiry_days", 1, 365),
        ("reminder_after_days", 1, 60),
        ("max_reminders", 0, 5),
    ):
        if name in fields:
            value = fields[name]
            if not isinstance(value, int) or not low <= value <= high:
                errors[name] = f"{low} to {high}"
            out[name] = value
    if "low_scores" in fields:
        rules = fields["low_scores"] or {}
        if not isinstance(rules, dict) or set(rules) - set(qdef.METRICS):
            errors["low_scores"] = f"keys from {', '.join(qdef.METRICS)}"
        elif any(not isinstance(v, int) for v in rules.values()):
            errors["low_scores"] = "whole numbers"
        out["low_scores"] = rules
    if "followup_kind" in fields:
        if not CaseKind.objects.filter(code=fields["followup_kind"]).exists():
            errors["followup_kind"] = "unknown case kind"
        out["followup_kind"] = fields["followup_kind"]
    if errors:
        raise ValidationFailed("invalid survey settings", fields=errors)
    return out


@transaction.atomic
def create_survey(
    *, actor: Actor, code: str, title_zh: str, definition: dict[str, Any], **fields: Any
) -> Survey:
    """A new survey with its first version as a draft (publish it to send it)."""
    user = _designer(actor)
    code = (code or "").strip()
    if not code or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 40:
        raise ValidationFailed("invalid code", fields={"code": "letters, digits, - and _"})
    if Survey.objects.filter(code=code).exists():
        raise ValidationFailed("code in use", fields={"code": "already used"})
    values = _survey_fields({"title_zh": title_zh, **fields})
    qdef.validate_definition(definition)
    now = clock.now()
    values.setdefault("channels", ["email", "sms"])
    survey = Survey.objects.create(code=code, created_at=now, **values)
    SurveyVersion.objects.create(
        survey=survey, number=1, definition=definition, created_at=now, created_by=user
    )
    record_configuration_event(
        survey, "created", actor=actor, code=code, **values, draft=1, questions=_keys(definition)
    )
    return survey


@transaction.atomic
def update_survey(survey_id: int, *, actor: Actor, **fields: Any) -> Survey:
    _designer(actor)
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None:
        raise NotFound("survey not found")
    values = _survey_fields(fields)
    before = {name: getattr(survey, name) for name in values}
    for name, value in values.items():
        setattr(survey, name, value)
    change = changed_fields(survey, before, list(values))
    if change["before"]:
        survey.save(update_fields=list(change["before"]))
        record_configuration_event(survey, "edited", actor=actor, **change)
    return survey


@transaction.atomic
def save_draft(survey_id: int, *, actor: Actor, definition: dict[str, Any]) -> SurveyVersion:
    """Edit the questionnaire. A published version never changes: the edit goes to the draft,
    which is created as the next version when there is none."""
    user = _designer(actor)
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None:
        raise NotFound("survey not found")
    qdef.validate_definition(definition)
    draft = survey.versions.filter(published_at__isnull=True).first()
    if draft is not None:
        earlier = _keys(draft.definition)
        draft.definition, draft.created_by = definition, user
        draft.save(update_fields=["definition", "created_by"])
    else:
        current = current_version(survey)
        earlier = _keys(current.definition) if current else []
        number = (survey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = SurveyVersion.objects.create(
            survey=survey,
            number=number,
            definition=definition,
            created_at=clock.now(),
            created_by=user,
        )
    keys = _keys(definition)
    record_configuration_event(
        survey,
        "draft_saved",
        actor=actor,
        version=draft.number,
        added=[k for k in keys if k not in earlier],
        removed=[k for k in earlier if k not in keys],
        questions=len(keys),
    )
    return draft


def _keys(definition: dict[str, Any]) -> list[str]:
    """The question keys of a questionnaire, in order (what a history entry names)."""
    return [str(q.get("key", "")) for q in qdef.questions(definition)]


@transaction.atomic
def publish_draft(survey_id: int, *, actor: Actor) -> SurveyVersion:
    """The draft becomes the version new invitations use; earlier answers keep theirs."""
    _designer(actor)
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None:
        raise NotFound("survey not found")
    draft = survey.versions.filter(published_at__isnull=True).first()
    if draft is None:
        raise Conflict("there is no draft to publish")
    qdef.validate_definition(draft.definition)
    previous = current_version(survey)
    draft.published_at = clock.now()
    draft.save(update_fields=["published_at"])
    record_configuration_event(
        survey,
        "published",
        actor=actor,
        version=draft.number,
        replaces=previous.number if previous else None,
    )
    return draft


@transaction.atomic
def set_index_weights(*, actor: Actor, weights: dict[str, Any]) -> list[IndexGroup]:
    """Weights of the index groups (each 0–1, together 1)."""
    user = _staff(actor)
    if not permissions.may_configure(user):
        raise PermissionDenied("only administrators and site managers set the index weights")
    groups = {g.key: g for g in IndexGroup.objects.select_for_update()}
    errors: dict[str, str] = {}
    parsed: dict[str, Decimal] = {}
    for key, raw in weights.items():
        if key not in groups:
            errors[key] = "unknown group"
            continue
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.001"))
        except (InvalidOperation, ValueError):
            errors[key] = "a number"
            continue
        if not Decimal(0) <= value <= Decimal(1):
            errors[key] = "0 to 1"
        parsed[key] = value
    total = sum(parsed.get(k, g.weight) for k, g in groups.items())
    if not errors and total != Decimal(1):
        errors["weights"] = f"must add up to 1 (now {total})"
    if errors:
        raise ValidationFailed("invalid weights", fields=errors)
    for key, value in parsed.items():
        group = groups[key]
        before = {"weight": group.weight}
        group.weight = value
        change = changed_fields(group, before, ["weight"])
        if change["before"]:
            group.save(update_fields=["weight"])
            record_configuration_event(group, "weight_changed", actor=actor, **change)
    return list(IndexGroup.objects.all())


@transaction.atomic
def record_peer_figure(
    *,
    actor: Actor,
    metric: str,
    peer: str,
    period_start: dt.date,
    period_end: dt.date,
    value: float,
    source: str = "",
) -> PeerFigure:
    """A peer's or the industry's figure for a period; entering it again replaces it."""
    user = _designer(actor)
    errors: dict[str, str] = {}
    peer = (peer or "").strip()
    if metric not in METRICS:
        errors["metric"] = f"one of {', '.join(METRICS)}"
    if not peer or len(peer) > 100:
        errors["peer"] = "1 to 100 characters"
    if period_end < period_start:
        errors["period_end"] = "not before the start"
    low = -100.0 if metric == "nps" else 0.0
    high = 7.0 if metric == "ces" else 100.0
    if not isinstance(value, int | float) or not low <= float(value) <= high:
        errors["value"] = f"{low:g} to {high:g}"
    if errors:
        raise ValidationFailed("invalid peer figure", fields=errors)
    fields = ["period_end", "value", "source"]
    existing = (
        PeerFigure.objects.select_for_update()
        .filter(metric=metric, peer=peer, period_start=period_start)
        .first()
    )
    before = {f: getattr(existing, f) for f in fields} if existing else {}
    figure, created = PeerFigure.objects.update_or_create(
        metric=metric,
        peer=peer,
        period_start=period_start,
        defaults={
            "period_end": period_end,
            "value": float(value),
            "source": (source or "").strip()[:200],
            "created_by": user,
            "created_at": clock.now(),
        },
    )
    if created:
        record_configuration_event(
            figure, "created", actor=actor, **{f: getattr(figure, f) for f in fields}
        )
    else:
        record_configuration_event(
            figure, "replaced", actor=actor, **changed_fields(figure, before, fields)
        )
    return figure


# --- distribution --------------------------------------------------------------------------


def _may_contact(customer: Customer) -> bool:
    from kefu.customers.selectors import may_contact

    return may_contact(customer, "survey")


def _capped(customer_ids: list[int], now: dt.datetime) -> set[int]:
    """Of these people, those surveyed within the frequency cap (any survey, any channel)."""
    days = settings.KEFU_SURVEY_FREQUENCY_DAYS
    if days <= 0 or not customer_ids:
        return set()
    return set(
        Invitation.objects.filter(
            customer_id__in=customer_ids, created_at__gt=now - dt.timedelta(days=days)
        ).values_list("customer_id", flat=True)
    )


def _route(survey: Survey, customer: Customer, case: Case | None) -> tuple[str, str]:
    """The channel and address: the survey's channels in order, WeChat for WeChat cases."""
    channels = list(survey.channels or [DeliveryChannel.EMAIL, DeliveryChannel.SMS])
    if case is not None and case.channel == "wechat" and DeliveryChannel.WECHAT in channels:
        channels.remove(DeliveryChannel.WECHAT)
        channels.insert(0, DeliveryChannel.WECHAT)
    for channel in channels:
        if channel == DeliveryChannel.EMAIL and customer.primary_email:
            return channel, customer.primary_email
        if channel in (DeliveryChannel.SMS, DeliveryChannel.WECHAT) and customer.primary_phone:
            return channel, customer.primary_phone
    return DeliveryChannel.PORTAL, ""


def _cuts(case: Case | None, customer: Customer | None) -> dict[str, Any]:
    if case is None:
        return {"tier": customer.tier if customer else ""}
    department_id = case.responsible_department_id or (
        case.team.department_id if case.team_id and case.team else None
    )
    return {
        "team_id": case.team_id,
        "agent_id": case.handler_id,
        "site_id": case.site_id,
        "department_id": department_id,
        "case_kind": case.kind.code,
        "case_channel": case.channel,
        "tier": case.customer.tier,
    }


def invite(
    *,
    actor: Actor,
    survey: Survey,
    customer: Customer,
    trigger: str,
    case: Case | None = None,
    source_event_id: int | None = None,
    wave: RelationshipWave | None = None,
) -> tuple[Invitation | None, str]:
    """Ask one person once. Returns (invitation, "") or (None, why it was skipped): no
    published version, no consent, surveyed within the frequency cap, or already asked for
    this event or wave. The link goes out after commit."""
    if actor.is_staff:
        _designer(actor)
    version = current_version(survey)
    if version is None or not survey.active:
        return None, "no_published_version"
    if customer.kind == CustomerKind.ORGANISATION:
        return None, "organisation"
    if not _may_contact(customer):
        return None, "no_consent"
    now = clock.now()
    try:
        with transaction.atomic():
            # Serialise the frequency check per person: lock the customer row.
            Customer.objects.select_for_update().filter(pk=customer.pk).first()
            if (
                source_event_id is not None
                and Invitation.objects.filter(
                    survey=survey, source_event_id=source_event_id
                ).exists()
            ):
                return None, "already_invited"
            if _capped([customer.pk], now):
                return None, "frequency_cap"
            invitation = _invitation(
                survey,
                version,
                customer,
                now,
                trigger=trigger,
                case=case,
                wave=wave,
                source_event_id=source_event_id,
            )
            invitation.save(force_insert=True)
            if actor.is_staff:
                record_configuration_event(
                    survey,
                    "invited",
                    actor=actor,
                    invitation=invitation.pk,
                    customer=customer.pk,
                    channel=invitation.channel,
                )
    except IntegrityError:
        return None, "already_invited"
    _invited(survey, [invitation], now)
    return invitation, ""


def _invitation(
    survey: Survey,
    version: SurveyVersion,
    customer: Customer,
    now: dt.datetime,
    *,
    trigger: str,
    case: Case | None = None,
    wave: RelationshipWave | None = None,
    source_event_id: int | None = None,
) -> Invitation:
    """A new invitation (not saved yet): the route, the link's token and expiry, the cuts."""
    channel, address = _route(survey, customer, case)
    return Invitation(
        survey=survey,
        version=version,
        token=secrets.token_urlsafe(24),
        customer=customer,
        case=case,
        trigger=trigger,
        source_event_id=source_event_id,
        wave=wave,
        channel=channel,
        address=address,
        language=_language_of(customer),
        created_at=now,
        expires_at=now + dt.timedelta(days=survey.expiry_days),
        **_cuts(case, customer),
    )


def _language_of(customer: Customer) -> str:
    """The invitation's language: the customer's preferred one where the surveys speak it
    ("en…" English, "zh…" Chinese), else the site's default."""
    preferred = customer.preferred_language.strip().lower()
    if preferred.startswith("en"):
        return "en"
    if preferred.startswith("zh"):
        return "zh-hans"
    return settings.LANGUAGE_CODE


def _invited(survey: Survey, invitations: list[Invitation], now: dt.datetime) -> None:
    """Count the new invitations in the running totals; send their links after commit."""
    if not invitations:
        return
    bump_rollups([(local_day(now), survey.pk, "all", "", {"invited": len(invitations)})])
    from kefu.surveys.tasks import deliver_invitation_task

    for invitation in invitations:
        enqueue_on_commit(deliver_invitation_task, invitation.pk)


def current_version(survey: Survey) -> SurveyVersion | None:
    return (
        survey.versions.filter(published_at__isnull=False).order_by("-number").first()
        if survey.pk
        else None
    )


def distribute_for_case_event(event_id: int) -> list[Invitation]:
    """The surveys a committed case event triggers: closing a case of a kind, or a recorded
    return visit. Safe to run twice: an event invites each person once per survey."""
    event = (
        CaseEvent.objects.select_related("case__kind", "case__customer").filter(pk=event_id).first()
    )
    if event is None:
        return []
    case = event.case
    if event.type == "closed":
        surveys = [
            s for s in Survey.objects.filter(active=True) if case.kind.code in s.closed_kinds
        ]
        trigger = Trigger.CASE_CLOSED
    elif event.type == "return_visit_recorded":
        surveys = list(Survey.objects.filter(active=True, on_return_visit=True))
        trigger = Trigger.RETURN_VISIT
    else:
        return []
    sent: list[Invitation] = []
    for survey in surveys:
        invitation, why = invite(
            actor=SYSTEM,
            survey=survey,
            customer=case.customer,
            trigger=trigger,
            case=case,
            source_event_id=event.pk,
        )
        if invitation is not None:
            sent.append(invitation)
        else:
            logger.debug("survey %s not sent for case %s: %s", survey.code, case.number, why)
    return sent


def public_url(invitation: Invitation) -> str:
    return public_link("surveys:answer", invitation.token)


def _message(invitation: Invitation, *, reminder: bool) -> tuple[str, str]:
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        title = invitation.survey.title(invitation.language)
        subject = (_("提醒：") if reminder else "") + title
        lines = [
            _("您好！请用一两分钟回答我们的调查，帮助我们改进服务。"),
            public_url(invitation),
            _("链接有效期至 %(date)s，只能使用一次。")
            % {"date": timezone.localdate(invitation.expires_at).isoformat()},
        ]
        if invitation.case_id and invitation.case is not None:
            lines.insert(0, _("工单 %(number)s") % {"number": invitation.case.number})
    return subject, "\n".join(lines)


def deliver_invitation(invitation_id: int, *, reminder: bool = False) -> bool:
    """Send the link by email or through the outbox; record it on the case."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("survey", "case")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.state in (
            InvitationState.ANSWERED,
            InvitationState.EXPIRED,
        ):
            return False
        if not reminder and invitation.state == InvitationState.SENT:
            return False  # a retried task: sent already
        now = clock.now()
        subject, body = _message(invitation, reminder=reminder)
        if invitation.channel == DeliveryChannel.EMAIL:
            mail = EmailMultiAlternatives(subject=subject, body=body, to=[invitation.address])
            link = public_url(invitation)
            html = "<br>".join(
                f'<a href="{link}">{link}</a>' if line == link else line
                for line in body.split("\n")
            )
            mail.attach_alternative(f"<p>{html}</p>", "text/html")
            mail.send()
        elif invitation.channel in (DeliveryChannel.SMS, DeliveryChannel.WECHAT):
            OutboxMessage.objects.create(
                channel=invitation.channel,
                to=invitation.address,
                body=f"{subject}: {body}",
                invitation=invitation,
                created_at=now,
            )
        if reminder:
            invitation.reminders_sent += 1
        else:
            invitation.state, invitation.sent_at = InvitationState.SENT, now
        invitation.last_sent_at = now
        invitation.save(update_fields=["state", "sent_at", "last_sent_at", "reminders_sent"])
        if invitation.case_id is not None and not reminder:
            case_actions.record_domain_event(
                invitation.case_id,
                "survey_sent",
                actor=SYSTEM,
                survey=invitation.survey.code,
                invitation=invitation.pk,
                channel=invitation.channel,
            )
        if invitation.channel in (DeliveryChannel.SMS, DeliveryChannel.WECHAT):
            from kefu.surveys.tasks import flush_outbox_task

            enqueue_on_commit(flush_outbox_task)
    return True


def send_due_reminders(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Remind people who have not answered, each survey's interval after the last send."""
    now = now or clock.now()
    candidates = (
        Invitation.objects.filter(state=InvitationState.SENT, expires_at__gt=now)
        .exclude(Exists(Response.objects.filter(invitation=OuterRef("pk"), complete=True)))
        .select_related("survey")
        .order_by("last_sent_at")[:batch]
    )
    due = [
        i.pk
        for i in candidates
        if i.reminders_sent < i.survey.max_reminders
        and i.last_sent_at is not None
        and i.last_sent_at <= now - dt.timedelta(days=i.survey.reminder_after_days)
    ]
    return sum(deliver_invitation(pk, reminder=True) for pk in due)


def expire_invitations(*, now: dt.datetime | None = None) -> int:
    """Close the links past their expiry, and note how many on each survey's record."""
    now = now or clock.now()
    due = Invitation.objects.filter(
        state__in=(InvitationState.PENDING, InvitationState.SENT), expires_at__lte=now
    )
    survey_ids = set(due.values_list("survey_id", flat=True).order_by().distinct())
    expired = 0
    for survey in Survey.objects.filter(pk__in=survey_ids).order_by("pk"):
        with transaction.atomic():
            count = due.filter(survey=survey).update(state=InvitationState.EXPIRED)
            if count:
                record_configuration_event(
                    survey, "invitations_expired", actor=SYSTEM, count=count, as_of=now
                )
        expired += count
    return expired


def flush_outbox(*, batch: int = 200) -> int:
    """Hand the waiting SMS and WeChat messages to the gateway (file or console)."""
    gateway = settings.KEFU_SURVEY_GATEWAY
    sent = 0
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True)
            .order_by("id")[:batch]
        )
        now = clock.now()
        for message in messages:
            line = json.dumps(
                {"channel": message.channel, "to": message.to, "body": message.body},
                ensure_ascii=False,
            )
            if gateway == "console":
                print(line)
            else:
                folder = Path(settings.KEFU_SURVEY_OUTBOX_DIR)
                folder.mkdir(parents=True, exist_ok=True)
                with open(folder / f"{message.channel}.jsonl", "a", encoding="utf-8") as out:
                    out.write(line + "\n")
            message.sent_at, message.gateway = now, gateway
            message.save(update_fields=["sent_at", "gateway"])
            sent += 1
    return sent


@transaction.atomic
def schedule_wave(
    survey_id: int,
    *,
    actor: Actor,
    name: str,
    scheduled_for: dt.datetime,
    organisation_id: int | None = None,
) -> RelationshipWave:
    """A relationship wave: at its time, every decision-chain contact is asked."""
    user = _designer(actor)
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise NotFound("survey not found")
    organisation = None
    if organisation_id is not None:
        organisation = Customer.objects.filter(
            pk=organisation_id, kind=CustomerKind.ORGANISATION
        ).first()
        if organisation is None:
            raise ValidationFailed("no such organisation", fields={"organisation": "unknown"})
    name = (name or "").strip()[:100] or survey.title_zh
    wave = RelationshipWave.objects.create(
        survey=survey,
        organisation=organisation,
        name=name,
        scheduled_for=scheduled_for,
        created_by=user,
        created_at=clock.now(),
    )
    record_configuration_event(
        survey,
        "wave_scheduled",
        actor=actor,
        wave=wave.pk,
        name=name,
        organisation=organisation_id,
        scheduled_for=scheduled_for,
    )
    return wave


def send_wave(wave_id: int) -> tuple[int, int]:
    """Invite every contact on the decision chain of the wave's organisation(s), once, in one
    transaction with a fixed number of statements however many contacts there are. Returns
    (invited, skipped); the counts and the reasons go on the survey's record."""
    from kefu.customers.selectors import contactable, decision_chains

    with transaction.atomic():
        wave = (
            RelationshipWave.objects.select_for_update()
            .select_related("survey")
            .filter(pk=wave_id, sent_at__isnull=True)
            .first()
        )
        if wave is None:
            return 0, 0
        now = clock.now()
        survey = wave.survey
        contacts = decision_chains()
        if wave.organisation_id:
            contacts = contacts.filter(organisation_id=wave.organisation_id)
        # Serialise with invite()'s frequency check: lock the people's rows.
        people = list(contacts.select_for_update(of=("self",)))
        skipped: dict[str, int] = {}
        invitations: list[Invitation] = []
        version = current_version(survey) if survey.active else None
        if version is None:
            skipped = {"no_published_version": len(people)} if people else {}
        else:
            ids = [c.pk for c in people]
            allowed = contactable(ids, "survey")
            capped = _capped(ids, now)
            for contact in people:
                why = _wave_skip(contact, allowed, capped)
                if why:
                    skipped[why] = skipped.get(why, 0) + 1
                else:
                    invitations.append(
                        _invitation(survey, version, contact, now, trigger=Trigger.WAVE, wave=wave)
                    )
            invitations = Invitation.objects.bulk_create(invitations, batch_size=500)
        wave.sent_at, wave.invited = now, len(invitations)
        wave.skipped = sum(skipped.values())
        wave.save(update_fields=["sent_at", "invited", "skipped"])
        record_configuration_event(
            survey,
            "wave_sent",
            actor=SYSTEM,
            wave=wave.pk,
            name=wave.name,
            invited=wave.invited,
            skipped=wave.skipped,
            reasons=skipped,
        )
        _invited(survey, invitations, now)
    return wave.invited, wave.skipped


def _wave_skip(contact: Customer, allowed: set[int], capped: set[int]) -> str:
    """Why invite() would skip this contact ("" when it would not), from the batch reads."""
    if contact.kind == CustomerKind.ORGANISATION:
        return "organisation"
    if contact.pk not in allowed:
        return "no_consent"
    if contact.pk in capped:
        return "frequency_cap"
    return ""


def send_due_waves(*, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    ids = RelationshipWave.objects.filter(sent_at__isnull=True, scheduled_for__lte=now)
    return sum(send_wave(pk)[0] for pk in ids.values_list("id", flat=True))


# --- running totals for the dashboard -----------------------------------------------------

ROLLUP_COUNTERS = (
    "n",
    "csat_n",
    "csat_ok",
    "nps_n",
    "promoters",
    "detractors",
    "ces_n",
    "ces_sum",
    "followups",
    "score_n",
    "score_sum",
    "value_sum",
    "y_sum",
    "xy_sum",
    "xx_sum",
    "yy_sum",
    "invited",
    "answered",
)
RollupRow = tuple[dt.date, int, str, str, dict[str, float]]


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment, timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def response_cuts(response: Response) -> list[tuple[str, str]]:
    """The rollup keys an answer counts under (its survey total, then one per cut)."""

    def key(value: object) -> str:
        return "" if value is None else str(value)

    return [
        ("all", ""),
        ("team", key(response.team_id)),
        ("agent", key(response.agent_id)),
        ("site", key(response.site_id)),
        ("department", key(response.department_id)),
        ("channel", response.case_channel),
        ("kind", response.case_kind),
        ("tier", response.tier),
    ]


def bump_rollups(rows: list[RollupRow]) -> None:
    """Add to the running totals: one INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    merged: dict[tuple[dt.date, int, str, str], dict[str, float]] = {}
    for day, survey_id, dim, key, counts in rows:
        target = merged.setdefault(
            (day, survey_id, dim, key[:60]), dict.fromkeys(ROLLUP_COUNTERS, 0)
        )
        for name, value in counts.items():
            target[name] += value
    if not merged:
        return
    table = SurveyRollup._meta.db_table
    columns = ["day", "survey_id", "dim", "key", *ROLLUP_COUNTERS]
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(merged))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in ROLLUP_COUNTERS)
    params: list[Any] = []
    for (day, survey_id, dim, key), counts in merged.items():
        params += [day, survey_id, dim, key, *(counts[c] for c in ROLLUP_COUNTERS)]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
        f"ON CONFLICT (day, survey_id, dim, key) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _answer_rollups(
    response: Response, invitation: Invitation, items: list[tuple[str, float, float, str]]
) -> list[RollupRow]:
    assert response.submitted_at is not None
    day, survey_id = local_day(response.submitted_at), response.survey_id
    csat, nps, ces = response.csat, response.nps, response.ces
    counts: dict[str, float] = {
        "n": 1,
        "csat_n": int(csat is not None),
        "csat_ok": int(csat is not None and csat >= 4),
        "nps_n": int(nps is not None),
        "promoters": int(nps is not None and nps >= 9),
        "detractors": int(nps is not None and nps <= 6),
        "ces_n": int(ces is not None),
        "ces_sum": float(ces or 0),
    }
    rows: list[RollupRow] = [(day, survey_id, d, k, counts) for d, k in response_cuts(response)]
    targets = {
        q["key"]
        for q in qdef.questions(response.version.definition)
        if q.get("metric") in ("csat", "overall")
    }
    y = next((score for key, _v, score, _g in items if key in targets), None)
    for key, value, score, group in items:
        if y is not None and key not in targets:
            rows.append(
                (
                    day,
                    survey_id,
                    "driver",
                    key,
                    {
                        "score_n": 1,
                        "score_sum": score,
                        "y_sum": y,
                        "xy_sum": score * y,
                        "xx_sum": score * score,
                        "yy_sum": y * y,
                    },
                )
            )
        rows.append(
            (day, survey_id, "item", key, {"score_n": 1, "score_sum": score, "value_sum": value})
        )
        if group:
            rows.append((day, survey_id, "group", group, {"score_n": 1, "score_sum": score}))
    rows.append((local_day(invitation.created_at), survey_id, "all", "", {"answered": 1}))
    return rows


def _keyword_rollups(response: Response, tokens: list[str]) -> list[RollupRow]:
    """Each word and two-word phrase of the open answers, counted once per answer."""
    assert response.submitted_at is not None
    day, survey_id = local_day(response.submitted_at), response.survey_id
    words = {t[:60] for t in tokens}
    phrases = {(a + b)[:60] for a, b in itertools.pairwise(tokens)}
    one: dict[str, float] = {"n": 1}
    return [(day, survey_id, "word", w, one) for w in sorted(words)] + [
        (day, survey_id, "phrase", p, one) for p in sorted(phrases)
    ]


def rebuild_rollups() -> int:
    """Recompute every running total from the answers (after a bulk import or a repair)."""
    with transaction.atomic():
        SurveyRollup.objects.all().delete()
        count = 0
        rows: list[RollupRow] = []
        invitations = Invitation.objects.values_list("created_at", "survey_id")
        for created_at, survey_id in invitations.iterator(chunk_size=5000):
            rows.append((local_day(created_at), survey_id, "all", "", {"invited": 1}))
            if len(rows) >= 500:
                bump_rollups(rows)
                rows = []
        answered = (
            Response.objects.filter(complete=True)
            .select_related("invitation", "version")
            .prefetch_related("items")
        )
        for response in answered.iterator(chunk_size=2000):
            items = _items_of(response)
            rows += _answer_rollups(response, response.invitation, items)
            if response.open_tokens:
                rows += _keyword_rollups(response, response.open_tokens.split())
            if response.followup_case_id is not None:
                assert response.submitted_at is not None
                rows += [
                    (local_day(response.submitted_at), response.survey_id, d, k, {"followups": 1})
                    for d, k in response_cuts(response)
                ]
            count += 1
            if len(rows) >= 500:
                bump_rollups(rows)
                rows = []
        bump_rollups(rows)
    return count


def _items_of(response: Response) -> list[tuple[str, float, float, str]]:
    return [(i.question, i.value, i.score, i.group) for i in response.items.all()]


# --- answering -----------------------------------------------------------------------------


def _open_invitation(token: str, *, lock: bool) -> Invitation:
    qs = Invitation.objects.select_related("survey", "version")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(token=str(token or "")[:64]).first()
    if invitation is None:
        raise NotFound("no survey behind this link")
    return invitation


def _response_for(invitation: Invitation, language: str, now: dt.datetime) -> Response:
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None:
        return response
    anonymous = invitation.survey.anonymous
    return Response(
        invitation=invitation,
        survey=invitation.survey,
        version=invitation.version,
        customer=None if anonymous else invitation.customer,
        case=None if anonymous else invitation.case,
        language=language,
        started_at=now,
        saved_at=now,
        team_id=invitation.team_id,
        agent_id=None if anonymous else invitation.agent_id,
        site_id=invitation.site_id,
        department_id=invitation.department_id,
        case_kind=invitation.case_kind,
        case_channel=invitation.case_channel,
        tier=invitation.tier,
    )


def _check_open(invitation: Invitation, now: dt.datetime) -> None:
    if invitation.expires_at <= now or invitation.state == InvitationState.EXPIRED:
        raise TokenExpired("this survey link has expired")


@transaction.atomic
def save_progress(token: str, answers: dict[str, Any], *, language: str = "") -> Response:
    """Keep partial answers (checked, required questions not yet enforced)."""
    language = language if language in ("en", "zh-hans") else ""
    invitation = _open_invitation(token, lock=True)
    now = clock.now()
    response = _response_for(invitation, language or invitation.language, now)
    if response.complete:
        return response  # answered already: nothing changes
    _check_open(invitation, now)
    merged = {**response.answers, **(answers or {})}
    response.answers = qdef.clean_answers(invitation.version.definition, merged, complete=False)
    response.saved_at = now
    if language:
        response.language = language
    response.save()
    return response


@transaction.atomic
def submit_answers(token: str, answers: dict[str, Any], *, language: str = "") -> Response:
    """The final answers. Submitting again returns the first submission unchanged."""
    language = language if language in ("en", "zh-hans") else ""
    invitation = _open_invitation(token, lock=True)
    now = clock.now()
    response = _response_for(invitation, language or invitation.language, now)
    if response.complete:
        return response
    _check_open(invitation, now)
    definition = invitation.version.definition
    merged = {**response.answers, **(answers or {})}
    cleaned = qdef.clean_answers(definition, merged, complete=True)
    metrics = qdef.metric_values(definition, cleaned)
    items = qdef.item_scores(definition, cleaned)
    response.answers = cleaned
    response.complete, response.submitted_at, response.saved_at = True, now, now
    if language:
        response.language = language
    response.csat, response.nps, response.ces = (
        metrics.get("csat"),
        metrics.get("nps"),
        metrics.get("ces"),
    )
    response.group_scores = _group_scores(items)
    response.open_text = qdef.open_text(definition, cleaned)
    response.save()
    ResponseItem.objects.bulk_create(
        ResponseItem(
            response=response,
            survey_id=response.survey_id,
            question=key,
            group=group,
            value=value,
            score=score,
            submitted_at=now,
        )
        for key, value, score, group in items
    )
    invitation.state, invitation.answered_at = InvitationState.ANSWERED, now
    invitation.save(update_fields=["state", "answered_at"])
    bump_rollups(_answer_rollups(response, invitation, items))
    from kefu.surveys.tasks import after_answer_task

    enqueue_on_commit(after_answer_task, response.pk)
    return response


def _group_scores(items: list[tuple[str, float, float, str]]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for _key, _value, score, group in items:
        if group:
            sums.setdefault(group, []).append(score)
    return {g: round(sum(v) / len(v), 2) for g, v in sums.items()}


# --- after an answer: the service record, the churn warning, the closed loop -------------


def _is_low(response: Response) -> list[str]:
    rules = response.survey.low_scores or {}
    metrics = qdef.metric_values(response.version.definition, response.answers)
    return [m for m, limit in rules.items() if m in metrics and metrics[m] <= int(limit)]


def _complaint_in(text: str) -> bool:
    if not text.strip():
        return False
    from kefu.assist.analyze import analyze

    kind = analyze(text[:20_000], "customer")["kind"]
    return kind["label"] == "complaint" and kind["confidence"] >= COMPLAINT_CONFIDENCE


def after_answer(response_id: int) -> Case | None:
    """Record the answer on the case, feed the churn warning, and open the follow-up case
    when the score is low or the open answer is a complaint (once per response)."""
    response = (
        Response.objects.select_related("survey", "version", "invitation")
        .filter(pk=response_id, complete=True)
        .first()
    )
    if response is None:
        return None
    customer_id = response.customer_id
    actor = Actor.customer(customer_id) if customer_id else SYSTEM
    if response.case_id is not None:
        already = CaseEvent.objects.filter(
            case_id=response.case_id, type="survey_answered", data__response=response.pk
        ).exists()
        if not already:
            case_actions.record_domain_event(
                response.case_id,
                "survey_answered",
                actor=actor,
                survey=response.survey.code,
                response=response.pk,
                csat=response.csat,
                nps=response.nps,
                ces=response.ces,
            )
    if customer_id is not None:
        _feed_churn_warning(response)
    low = _is_low(response)
    complaint = _complaint_in(response.open_text)
    if (complaint and not response.complaint_detected) or (
        response.open_text and not response.open_tokens
    ):
        from kefu.surveys.text import keyword_tokens

        tokens = keyword_tokens(response.open_text) if not response.open_tokens else []
        with transaction.atomic():
            updated = Response.objects.filter(
                pk=response.pk, open_tokens=response.open_tokens
            ).update(
                complaint_detected=complaint or response.complaint_detected,
                open_tokens=" ".join(tokens) or response.open_tokens,
            )
            if updated and tokens:
                bump_rollups(_keyword_rollups(response, tokens))
    if (low or complaint) and customer_id is not None:
        return open_followup(response.pk, reasons=[*low, *(["complaint"] if complaint else [])])
    return None


def _feed_churn_warning(response: Response) -> None:
    from kefu.crm.actions import record_satisfaction

    metrics = qdef.metric_values(response.version.definition, response.answers)
    if "csat" in metrics:
        score, scale = metrics["csat"], 5
    elif "overall" in metrics:
        questions = qdef.questions(response.version.definition)
        overall = next(q for q in questions if q.get("metric") == "overall")
        score, scale = metrics["overall"], int(overall.get("scale", 5))
    elif "nps" in metrics:
        score, scale = metrics["nps"], 10
    else:
        return
    assert response.customer_id is not None and response.submitted_at is not None
    record_satisfaction(
        actor=SYSTEM,
        customer_id=response.customer_id,
        score=score,
        scale_max=scale,
        source="survey",
        reference=f"response:{response.pk}",
        measured_at=response.submitted_at,
    )


def _responsible_team(response: Response) -> Any:
    from kefu.accounts.models import Team

    team_id = response.team_id or response.invitation.team_id
    if team_id is None:
        return None
    return Team.objects.select_related("supervisor", "site").filter(pk=team_id).first()


def followup_description(response: Response, reasons: list[str]) -> str:
    """What the supervisor reads as the follow-up case's request: why, the scores, the
    customer's own words."""

    def score(value: Any) -> str:
        return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    why = {
        "csat": _("满意度（CSAT）低分：%(score)s") % {"score": score(response.csat)},
        "nps": _("推荐意愿（NPS）低分：%(score)s") % {"score": score(response.nps)},
        "ces": _("费力度（CES）低分：%(score)s") % {"score": score(response.ces)},
        "complaint": _("开放题的留言是一条投诉"),
    }
    # In a fixed order: the survey's low-score rules are JSON, whose keys PostgreSQL reorders.
    order = list(why)
    ordered = sorted(reasons, key=lambda r: (order.index(r) if r in why else len(order), r))
    lines = [
        _("答卷 #%(id)s 需要跟进。") % {"id": response.pk},
        _("原因：%(reasons)s")
        % {
            "reasons": _("；").join(
                str(why.get(r, _("%(metric)s 低分") % {"metric": r})) for r in ordered
            )
        },
        _("得分：CSAT %(csat)s · NPS %(nps)s · CES %(ces)s")
        % {"csat": score(response.csat), "nps": score(response.nps), "ces": score(response.ces)},
    ]
    if response.open_text:
        lines.append(_("客户留言：%(text)s") % {"text": response.open_text})
    return "\n".join(lines)


def open_followup(response_id: int, *, reasons: list[str]) -> Case | None:
    """A follow-up case for the responsible team's supervisor, linked both ways; at most one
    per response (the response row is locked and the link is unique)."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("survey", "invitation", "customer")
            .filter(pk=response_id)
            .first()
        )
        if response is None or response.followup_case_id is not None or response.customer is None:
            return None
        team = _responsible_team(response)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("满意度回访跟进：%(survey)s") % {"survey": response.survey.title_zh}
            description = followup_description(response, reasons)
        case = case_actions.open_case(
            actor=SYSTEM,
            kind=response.survey.followup_kind,
            channel=response.case.channel if response.case_id and response.case else "web",
            subject=subject[:200],
            description=description,
            customer=response.customer,
            priority=3,
            tags=["survey-followup"],
            team=team,
            site=team.site if team else None,
        )
        if team is not None and team.supervisor is not None and team.supervisor.is_active:
            case_actions.accept_case(case.pk, actor=SYSTEM)
            case_actions.assign_case(
                case.pk, actor=SYSTEM, handler=team.supervisor, reason="survey follow-up"
            )
        response.followup_case = case
        response.save(update_fields=["followup_case"])
        assert response.submitted_at is not None
        bump_rollups(
            [
                (local_day(response.submitted_at), response.survey_id, d, k, {"followups": 1})
                for d, k in response_cuts(response)
            ]
        )
        case_actions.record_domain_event(
            case.pk,
            "linked",
            actor=SYSTEM,
            record="survey_response",
            response=response.pk,
            reasons=reasons,
        )
        if response.case_id is not None:
            case_actions.record_domain_event(
                response.case_id,
                "linked",
                actor=SYSTEM,
                record="followup_case",
                followup_case=case.pk,
                number=case.number,
                response=response.pk,
            )
    return case
