"""Writes for customers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from kefu.accounts.actors import Actor, ActorKind
from kefu.accounts.audit import changed_fields, record_configuration_event
from kefu.accounts.models import Team, User
from kefu.accounts.roles import is_supervising, may_take_contacts
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kefu.core.validation import require_choice
from kefu.customers.choices import (
    ConsentMethod,
    ConsentPurpose,
    ConsumptionKind,
    CustomerEventType,
    PreferredChannel,
    RevealField,
)
from kefu.customers.models import (
    Consent,
    ConsumptionRecord,
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerEvent,
    CustomerKind,
    CustomerPhone,
    CustomerTag,
    DecisionRole,
)
from kefu.customers.normalize import normalize_email, normalize_phone


def _clean_identifiers(phone: str, email: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    phone_e164 = email_norm = ""
    if phone:
        try:
            phone_e164 = normalize_phone(phone)
        except ValueError as exc:
            errors["phone"] = str(exc)
    if email:
        try:
            email_norm = normalize_email(email)
        except ValueError as exc:
            errors["email"] = str(exc)
    if errors:
        raise ValidationFailed("invalid contact details", fields=errors)
    return phone_e164, email_norm


def create_customer(
    *,
    actor: Actor,
    name: str,
    phone: str = "",
    email: str = "",
    kind: str = CustomerKind.PERSON,
    organisation: Customer | None = None,
    tier: str = "standard",
) -> Customer:
    """Create a customer with its identifying phone and email (normalised, unique)."""
    if actor.is_staff and actor.user is not None and not may_take_contacts(actor.user):
        raise PermissionDenied("your role may not register customers")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("name is required", fields={"name": "required"})
    if len(name) > 200:
        raise ValidationFailed("name is too long", fields={"name": "at most 200 characters"})
    if kind not in CustomerKind.values:
        raise ValidationFailed(
            "unknown customer kind", fields={"kind": f"one of {CustomerKind.values}"}
        )
    phone_e164, email_norm = _clean_identifiers(phone, email)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                kind=kind,
                name=name,
                organisation=organisation,
                tier=tier,
                primary_phone=phone_e164,
                primary_email=email_norm,
                created_at=clock.now(),
            )
            if phone_e164:
                CustomerPhone.objects.create(customer=customer, number=phone_e164)
            if email_norm:
                CustomerEmail.objects.create(customer=customer, address=email_norm)
    except IntegrityError as exc:
        raise Conflict(
            "a customer with this phone or email already exists",
            fields={"phone": phone_e164, "email": email_norm},
        ) from exc
    return customer


def find_or_create_customer(
    *, actor: Actor, name: str, phone: str = "", email: str = ""
) -> Customer:
    """The customer a phone or email already identifies, or a new one."""
    phone_e164, email_norm = _clean_identifiers(phone, email)
    existing = None
    if phone_e164:
        existing = Customer.objects.filter(phones__number=phone_e164).first()
    if existing is None and email_norm:
        existing = Customer.objects.filter(emails__address__iexact=email_norm).first()
    if existing is not None:
        return existing
    return create_customer(actor=actor, name=name, phone=phone_e164, email=email_norm)


TIER_MAX_LENGTH = 30


@transaction.atomic
def set_customer_tier(customer_id: int, *, actor: Actor, tier: str) -> tuple[Customer, str]:
    """Change a customer's value tier; returns (customer, previous tier).

    Supervising roles only. (The CRM issue grades tiers by RFM and records the reasons.)
    """
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers change a customer's tier")
    tier = (tier or "").strip()
    if not tier or len(tier) > TIER_MAX_LENGTH:
        raise ValidationFailed(
            "tier is required", fields={"tier": f"1 to {TIER_MAX_LENGTH} characters"}
        )
    customer = _locked_customer(customer_id)
    previous = customer.tier
    if previous != tier:
        customer.tier = tier
        customer.save(update_fields=["tier"])
    return customer, previous


def set_tiers_in_bulk(changes: dict[int, str], *, actor: Actor) -> int:
    """Grade many customers at once (the scheduled RFM job): system actors only. The caller
    moves the time standards of their open cases (kefu.cases.actions.change_customer_tier
    does both for one customer)."""
    if actor.is_staff:
        raise PermissionDenied("bulk tier changes are the grading job's")
    by_tier: dict[str, list[int]] = {}
    for customer_id, tier in changes.items():
        if not tier or len(tier) > TIER_MAX_LENGTH:
            raise ValidationFailed("invalid tier", fields={"tier": tier})
        by_tier.setdefault(tier, []).append(customer_id)
    moved = 0
    with transaction.atomic():
        for tier, ids in by_tier.items():
            for start in range(0, len(ids), 5000):
                moved += Customer.objects.filter(pk__in=ids[start : start + 5000]).update(tier=tier)
    return moved


# --- Profile, decision chain, consents, consumption, reveal ---------------------------------

REVEAL_REASON_MIN = 4


def record_customer_event(
    customer_id: int | None, event_type: str, *, actor: Actor, **data: Any
) -> CustomerEvent:
    """Append one entry to a customer's record (call inside the writing transaction)."""
    return CustomerEvent.objects.create(
        customer_id=customer_id,
        type=event_type,
        at=clock.now(),
        data=data,
        **actor.as_record(),
    )


def record_customer_events(
    event_type: str, rows: list[tuple[int, dict[str, Any]]], *, actor: Actor
) -> list[CustomerEvent]:
    """Many entries of one type in one insert, (customer id, data) each, all at the same
    moment (a nightly run's churn warnings); call inside the writing transaction."""
    at, who = clock.now(), actor.as_record()
    return CustomerEvent.objects.bulk_create(
        [
            CustomerEvent(customer_id=customer_id, type=event_type, at=at, data=data, **who)
            for customer_id, data in rows
        ],
        batch_size=2000,
    )


def _ensure_may_edit(actor: Actor) -> None:
    if actor.is_staff and actor.user is not None and not may_take_contacts(actor.user):
        raise PermissionDenied("your role may not change customer records")


def _locked_customer(customer_id: int) -> Customer:
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customer not found")
    return customer


@transaction.atomic
def set_decision_role(*, actor: Actor, contact_id: int, role_code: str | None) -> Customer:
    """Put an organisation's contact on its decision chain (or take it off with None)."""
    _ensure_may_edit(actor)
    contact = _locked_customer(contact_id)
    if contact.organisation_id is None:
        raise ValidationFailed(
            "only an organisation's contacts hold decision-chain roles",
            fields={"organisation": "the contact belongs to no organisation"},
        )
    role = None
    if role_code:
        role = DecisionRole.objects.filter(code=role_code, active=True).first()
        if role is None:
            codes = list(DecisionRole.objects.filter(active=True).values_list("code", flat=True))
            raise ValidationFailed("unknown decision role", fields={"role": f"one of {codes}"})
    previous = contact.decision_role.code if contact.decision_role is not None else None
    if contact.decision_role_id != (role.pk if role else None):
        contact.decision_role = role
        contact.save(update_fields=["decision_role"])
        record_customer_event(
            contact.pk,
            CustomerEventType.CONTACT_ROLE,
            actor=actor,
            previous=previous,
            role=role.code if role else None,
        )
    return contact


DECISION_ROLE_FIELDS = ["code", "name", "name_en", "rank", "active"]


def clean_decision_role(values: dict[str, Any], *, role_id: int | None) -> dict[str, Any]:
    """A decision-chain role's fields checked and trimmed; raises ValidationFailed."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {f: values.get(f) for f in DECISION_ROLE_FIELDS}
    for name, limit in (("code", 32), ("name", 50), ("name_en", 50)):
        clean[name] = str(clean[name] or "").strip()
        if len(clean[name]) > limit:
            errors[name] = f"at most {limit} characters"
    if not clean["code"] or not re.fullmatch(r"[-a-zA-Z0-9_]+", clean["code"]):
        errors["code"] = "letters, digits, - and _"
    if not clean["name"]:
        errors["name"] = "required"
    rank = clean["rank"]
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank <= 32767:
        errors["rank"] = "0 to 32767"
    clean["active"] = bool(clean["active"])
    if DecisionRole.objects.filter(code=clean["code"]).exclude(pk=role_id or 0).exists():
        errors["code"] = "another role has this code"
    if role_id is not None:
        stored = DecisionRole.objects.filter(pk=role_id).values_list("code", flat=True).first()
        if stored is None:
            raise NotFound("decision role not found")
        if stored != clean["code"]:
            # The contacts' record (contact_role events) and API clients refer to the code.
            errors["code"] = "a role's code does not change; add a new role instead"
    if errors:
        raise ValidationFailed("invalid decision role", fields=errors)
    return clean


def save_decision_role(
    *, actor: Actor, values: dict[str, Any], role_id: int | None = None
) -> DecisionRole:
    """Create a decision-chain role, or change the one given (its code stays; fields not
    given keep their value); supervising roles only. Recorded as a configuration event
    (created, or changed with before and after)."""
    if actor.kind == ActorKind.CUSTOMER or (
        actor.is_staff and actor.user is not None and not is_supervising(actor.user)
    ):
        raise PermissionDenied("only supervisors and managers configure decision-chain roles")
    with transaction.atomic():
        role = (
            DecisionRole()
            if role_id is None
            else DecisionRole.objects.select_for_update().filter(pk=role_id).first()
        )
        if role is None:
            raise NotFound("decision role not found")
        before = {f: getattr(role, f) for f in DECISION_ROLE_FIELDS}
        clean = clean_decision_role({**before, **values}, role_id=role_id)
        for name, value in clean.items():
            setattr(role, name, value)
        if role_id is None:
            role.save()
            record_configuration_event(role, "created", actor=actor, after=clean)
            return role
        change = changed_fields(role, before, DECISION_ROLE_FIELDS)
        if change["before"]:
            role.save(update_fields=list(change["before"]))
            record_configuration_event(role, "changed", actor=actor, **change)
    return role


def add_contact(
    *,
    actor: Actor,
    organisation_id: int,
    name: str,
    phone: str = "",
    email: str = "",
    role_code: str | None = None,
) -> Customer:
    """A new contact person of an organisation, optionally with a decision-chain role."""
    organisation = Customer.objects.filter(
        pk=organisation_id, kind=CustomerKind.ORGANISATION
    ).first()
    if organisation is None:
        raise NotFound("organisation not found")
    with transaction.atomic():
        contact = create_customer(
            actor=actor, name=name, phone=phone, email=email, organisation=organisation
        )
        if role_code:
            contact = set_decision_role(actor=actor, contact_id=contact.pk, role_code=role_code)
    return contact


PROFILE_FIELDS = frozenset(
    {
        "birthday",
        "preferred_channel",
        "preferred_language",
        "id_number",
        "external_id",
        "account_manager_id",
        "dedicated_team_id",
    }
)


@transaction.atomic
def update_profile(*, actor: Actor, customer_id: int, **changes: Any) -> Customer:
    """Change profile fields (birthday, preferred channel/language, ID number, external id,
    account manager, dedicated team). The event lists the fields changed, not the values."""
    _ensure_may_edit(actor)
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ValidationFailed(
            "unknown profile fields", fields={f: "not a profile field" for f in unknown}
        )
    assigning = "account_manager_id" in changes or "dedicated_team_id" in changes
    if assigning and actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers assign account managers")
    errors: dict[str, str] = {}
    channel = changes.get("preferred_channel")
    if channel and channel not in PreferredChannel.values:
        errors["preferred_channel"] = f"one of {PreferredChannel.values}"
    birthday = changes.get("birthday")
    if birthday is not None and not isinstance(birthday, dt.date):
        errors["birthday"] = "a date"
    elif birthday is not None and birthday > clock.today():
        errors["birthday"] = "in the future"
    for field, limit in (("id_number", 32), ("external_id", 64), ("preferred_language", 10)):
        if len(str(changes.get(field) or "")) > limit:
            errors[field] = f"at most {limit} characters"
    manager_id = changes.get("account_manager_id")
    if manager_id is not None and not User.objects.filter(pk=manager_id, is_active=True).exists():
        errors["account_manager_id"] = "no such active user"
    team_id = changes.get("dedicated_team_id")
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        errors["dedicated_team_id"] = "no such team"
    if errors:
        raise ValidationFailed("invalid profile", fields=errors)
    customer = _locked_customer(customer_id)
    changed = []
    for field, value in changes.items():
        if field in {"id_number", "external_id", "preferred_language", "preferred_channel"}:
            value = (value or "").strip()
        if getattr(customer, field) != value:
            setattr(customer, field, value)
            changed.append(field)
    if changed:
        try:
            with transaction.atomic():
                customer.save(update_fields=changed)
        except IntegrityError as exc:
            raise Conflict(
                "another customer has this external id", fields={"external_id": "taken"}
            ) from exc
        record_customer_event(
            customer.pk, CustomerEventType.UPDATED, actor=actor, fields=sorted(changed)
        )
    return customer


@transaction.atomic
def add_phone(*, actor: Actor, customer_id: int, phone: str, label: str = "") -> CustomerPhone:
    _ensure_may_edit(actor)
    number, _ = _clean_identifiers(phone, "")
    if not number:
        raise ValidationFailed("phone is required", fields={"phone": "required"})
    customer = _locked_customer(customer_id)
    try:
        with transaction.atomic():
            row = CustomerPhone.objects.create(customer=customer, number=number, label=label[:30])
    except IntegrityError as exc:
        raise Conflict("this phone already identifies a customer", fields={"phone": ""}) from exc
    if not customer.primary_phone:
        customer.primary_phone = number
        customer.save(update_fields=["primary_phone"])
    record_customer_event(customer.pk, CustomerEventType.UPDATED, actor=actor, fields=["phones"])
    return row


@transaction.atomic
def add_email(*, actor: Actor, customer_id: int, email: str, label: str = "") -> CustomerEmail:
    _ensure_may_edit(actor)
    _, address = _clean_identifiers("", email)
    if not address:
        raise ValidationFailed("email is required", fields={"email": "required"})
    customer = _locked_customer(customer_id)
    try:
        with transaction.atomic():
            row = CustomerEmail.objects.create(customer=customer, address=address, label=label[:30])
    except IntegrityError as exc:
        raise Conflict("this email already identifies a customer", fields={"email": ""}) from exc
    if not customer.primary_email:
        customer.primary_email = address
        customer.save(update_fields=["primary_email"])
    record_customer_event(customer.pk, CustomerEventType.UPDATED, actor=actor, fields=["emails"])
    return row


@transaction.atomic
def add_address(
    *,
    actor: Actor,
    customer_id: int,
    line: str,
    region: str = "",
    postcode: str = "",
    label: str = "",
) -> CustomerAddress:
    _ensure_may_edit(actor)
    line = (line or "").strip()
    if not line or len(line) > 200:
        raise ValidationFailed("address is required", fields={"line": "1 to 200 characters"})
    customer = _locked_customer(customer_id)
    row = CustomerAddress.objects.create(
        customer=customer, line=line, region=region[:100], postcode=postcode[:10], label=label[:30]
    )
    record_customer_event(customer.pk, CustomerEventType.UPDATED, actor=actor, fields=["addresses"])
    return row


@transaction.atomic
def set_tags(*, actor: Actor, customer_id: int, tags: list[str]) -> list[str]:
    """Replace the customer's tags; returns them sorted."""
    _ensure_may_edit(actor)
    clean = sorted({t.strip() for t in tags if t and t.strip()})
    if any(len(t) > 30 for t in clean):
        raise ValidationFailed("tag too long", fields={"tags": "at most 30 characters each"})
    customer = _locked_customer(customer_id)
    current = set(customer.tags.values_list("tag", flat=True))
    if current != set(clean):
        customer.tags.exclude(tag__in=clean).delete()
        CustomerTag.objects.bulk_create(
            [CustomerTag(customer=customer, tag=t) for t in clean if t not in current]
        )
        record_customer_event(
            customer.pk, CustomerEventType.UPDATED, actor=actor, fields=["tags"], tags=clean
        )
    return clean


@transaction.atomic
def record_consent(
    *,
    actor: Actor,
    customer_id: int,
    purpose: str,
    granted: bool,
    method: str,
    at: dt.datetime | None = None,
    note: str = "",
) -> Consent:
    """Record that the customer gave (granted=True) or withdrew a consent, when and how."""
    require_choice(purpose, "purpose", ConsentPurpose.values)
    require_choice(method, "method", ConsentMethod.values)
    customer = _locked_customer(customer_id)
    when = at or clock.now()
    consent, _ = Consent.objects.get_or_create(customer=customer, purpose=purpose)
    if granted:
        consent.granted, consent.given_at, consent.given_via = True, when, method
        consent.withdrawn_at, consent.withdrawn_via = None, ""
    else:
        consent.granted, consent.withdrawn_at, consent.withdrawn_via = False, when, method
    consent.note = (note or "")[:200]
    consent.save()
    record_customer_event(
        customer.pk,
        CustomerEventType.CONSENT_GIVEN if granted else CustomerEventType.CONSENT_WITHDRAWN,
        actor=actor,
        purpose=purpose,
        method=method,
        at=when.isoformat(),
    )
    return consent


def record_consumption(
    *,
    actor: Actor,
    customer_id: int,
    occurred_on: dt.date,
    product: str,
    amount: Decimal | float | str,
    quantity: Decimal | float | str = 1,
    kind: str = ConsumptionKind.ORDER,
    channel: str = "",
    external_id: str = "",
) -> ConsumptionRecord:
    """One purchase, order or bill. Idempotent on a non-empty external id."""
    require_choice(kind, "kind", ConsumptionKind.values)
    errors: dict[str, str] = {}
    product = (product or "").strip()
    if not product or len(product) > 200:
        errors["product"] = "1 to 200 characters"
    try:
        amount_d = Decimal(str(amount))
        quantity_d = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        errors["amount"] = "a number"
        amount_d = quantity_d = Decimal(0)
    if not amount_d.is_finite() or abs(amount_d) >= Decimal("1e12"):
        errors["amount"] = "a number below 10^12"
    if not quantity_d.is_finite() or quantity_d < 0 or quantity_d >= Decimal("1e10"):
        errors["quantity"] = "a non-negative number"
    if not isinstance(occurred_on, dt.date):
        errors["occurred_on"] = "a date"
    if len(external_id) > 64 or len(channel) > 30:
        errors["external_id" if len(external_id) > 64 else "channel"] = "too long"
    if errors:
        raise ValidationFailed("invalid consumption record", fields=errors)
    if not Customer.objects.filter(pk=customer_id).exists():
        raise NotFound("customer not found")
    if external_id:
        existing = ConsumptionRecord.objects.filter(external_id=external_id).first()
        if existing is not None:
            if existing.customer_id != customer_id:
                raise Conflict(
                    "this external id belongs to another customer's record",
                    fields={"external_id": external_id},
                )
            return existing
    try:
        with transaction.atomic():
            record = ConsumptionRecord.objects.create(
                customer_id=customer_id,
                kind=kind,
                occurred_on=occurred_on,
                product=product,
                quantity=quantity_d,
                amount=amount_d.quantize(Decimal("0.01")),
                channel=channel,
                external_id=external_id,
            )
            record_customer_event(
                customer_id,
                CustomerEventType.CONSUMPTION_RECORDED,
                actor=actor,
                **_consumption_data(record),
            )
            return record
    except IntegrityError:
        # A concurrent writer stored the same external id first.
        return ConsumptionRecord.objects.get(external_id=external_id)


@transaction.atomic
def reveal_personal_data(*, actor: Actor, customer_id: int, field: str, reason: str) -> str:
    """The unmasked phone, email or ID number, for a reason, recorded as an event."""
    require_choice(field, "field", RevealField.values)
    reason = (reason or "").strip()
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationFailed(
            "a reason is required", fields={"reason": f"at least {REVEAL_REASON_MIN} characters"}
        )
    if not actor.is_staff:
        raise PermissionDenied("only staff reveal personal data")
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customer not found")
    value = {
        RevealField.PHONE: customer.primary_phone,
        RevealField.EMAIL: customer.primary_email,
        RevealField.ID_NUMBER: customer.id_number,
    }[RevealField(field)]
    record_customer_event(
        customer.pk, CustomerEventType.REVEALED, actor=actor, field=field, reason=reason[:500]
    )
    return value


def record_export(*, actor: Actor, what: str, masked: bool) -> None:
    """An export of customer data is recorded (who, what, masked or not)."""
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers export customer data")
    with transaction.atomic():
        record_customer_event(
            None, CustomerEventType.EXPORTED, actor=actor, what=what, masked=masked
        )


def bulk_record_consumption(*, actor: Actor, records: list[ConsumptionRecord]) -> int:
    """Many consumption records at once (demo data, integrations): checked, then inserted in
    batches, each with its entry on the customer's record as record_consumption writes it.
    Records whose external id is stored already (or repeated in `records`) are skipped.
    Returns how many were stored."""
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers record consumption in bulk")
    for record in records:
        if record.kind not in ConsumptionKind.values or not record.product:
            raise ValidationFailed("invalid consumption record", fields={"kind": record.kind})
        if not isinstance(record.amount, Decimal) or not record.amount.is_finite():
            raise ValidationFailed("invalid amount", fields={"amount": str(record.amount)})
        if not isinstance(record.occurred_on, dt.date):
            raise ValidationFailed("invalid date", fields={"occurred_on": "a date"})
    if not records:
        return 0
    try:
        with transaction.atomic():
            taken = _stored_external_ids([r.external_id for r in records if r.external_id])
            fresh = []
            for record in records:
                if record.external_id:
                    if record.external_id in taken:
                        continue
                    taken.add(record.external_id)
                fresh.append(record)
            stored = ConsumptionRecord.objects.bulk_create(fresh, batch_size=5000)
            record_customer_events(
                CustomerEventType.CONSUMPTION_RECORDED,
                [(r.customer_id, _consumption_data(r)) for r in stored],
                actor=actor,
            )
    except IntegrityError as exc:
        # A concurrent writer stored one of the external ids first: nothing was stored.
        raise Conflict("an external id was stored meanwhile; send the records again") from exc
    return len(stored)


def _stored_external_ids(external_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(external_ids), 5000):
        chunk = external_ids[start : start + 5000]
        found.update(
            ConsumptionRecord.objects.filter(external_id__in=chunk).values_list(
                "external_id", flat=True
            )
        )
    return found


def _consumption_data(record: ConsumptionRecord) -> dict[str, Any]:
    """What a CONSUMPTION_RECORDED entry says about the record."""
    return {
        "record_id": record.pk,
        "kind": record.kind,
        "occurred_on": record.occurred_on.isoformat(),
        "product": record.product,
        "quantity": str(record.quantity),
        "amount": str(record.amount),
        "channel": record.channel,
        "external_id": record.external_id,
    }
