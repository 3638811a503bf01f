"""Writes for customers."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kefu.accounts.actors import Actor
from kefu.accounts.roles import may_take_contacts
from kefu.core import clock
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
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
