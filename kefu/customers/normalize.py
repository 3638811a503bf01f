"""Normalising the identifiers that find a customer: phone numbers (E.164) and emails."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

DEFAULT_REGION = "CN"


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form: '138 1234 5678' and '+86-13812345678' both give '+8613812345678'."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("empty phone number")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    text = (raw or "").strip()
    try:
        validate_email(text)
    except ValidationError as exc:
        raise ValueError(f"not an email address: {raw!r}") from exc
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def mask_phone(e164: str) -> str:
    """138****1234 for a mainland mobile; keeps the first 3 and last 4 national digits."""
    national = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if len(national) <= 7:
        return national[:1] + "*" * (len(national) - 2) + national[-1:]
    return national[:3] + "****" + national[-4:]


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def mask_id_number(number: str) -> str:
    """110***********0011: the first 3 and last 4 characters of an ID number."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
