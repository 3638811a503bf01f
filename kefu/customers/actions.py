"""Writes for customers."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kefu.accounts.actors import Actor
from kefu.accounts.roles import is_supervising, may_take_contacts
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kefu.customers.models import Customer, CustomerEmail, CustomerKind, CustomerPhone
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
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customer not found")
    previous = customer.tier
    if previous != tier:
        customer.tier = tier
        customer.save(update_fields=["tier"])
    return customer, previous
