"""Writes of the CRM's configuration: the value tiers and the grading / churn parameters.
Re-exported by kefu.crm.actions. Each change is a ConfigurationEvent with before and after;
supervising roles only (a tier decides time standards and queue priority)."""

from __future__ import annotations

import math
import re
from typing import Any

from django.db import transaction

from kefu.accounts.actors import Actor, ActorKind
from kefu.accounts.audit import changed_fields, record_configuration_event
from kefu.accounts.roles import is_supervising
from kefu.cases.choices import Priority
from kefu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kefu.crm.choices import ScoringMethod
from kefu.crm.models import CrmSettings, ValueTier
from kefu.crm.reference_data import DEFAULT_CUTS

TIER_FIELDS = [
    "code",
    "name",
    "name_en",
    "rank",
    "min_score",
    "queue_priority",
    "entitlements",
    "entitlements_en",
    "active",
]
SETTINGS_FIELDS = [
    "window_days",
    "method",
    "recency_cuts",
    "frequency_cuts",
    "monetary_cuts",
    "churn_window_days",
    "churn_threshold",
    "weight_decline",
    "weight_complaints",
    "weight_breaches",
    "weight_satisfaction",
    "weight_silence",
    "follow_up_days",
]
WEIGHTS = [f for f in SETTINGS_FIELDS if f.startswith("weight_")]
CUTS = ["recency_cuts", "frequency_cuts", "monetary_cuts"]
RFM_MAX = 15  # R, F and M are 1..5 each
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def ensure_may_configure(actor: Actor) -> None:
    if actor.kind == ActorKind.CUSTOMER:
        raise PermissionDenied("customers do not configure the CRM")
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers configure the CRM")


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if isinstance(value, float) and value != number:
        return None
    return number if low <= number <= high else None


def clean_value_tier(values: dict[str, Any], *, tier_id: int | None) -> dict[str, Any]:
    """The tier's fields checked and trimmed; raises ValidationFailed naming the fields."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {f: values.get(f) for f in TIER_FIELDS}
    for name, limit in (("code", 30), ("name", 50), ("name_en", 50)):
        clean[name] = str(clean[name] or "").strip()
        if len(clean[name]) > limit:
            errors[name] = f"at most {limit} characters"
    for name in ("entitlements", "entitlements_en"):
        clean[name] = str(clean[name] or "").strip()
    if not clean["code"] or not SLUG.match(clean["code"]):
        errors["code"] = "letters, digits, - and _"
    if not clean["name"]:
        errors["name"] = "required"
    for name, low, high in (("rank", 1, 32767), ("min_score", 0, RFM_MAX)):
        number = _whole(clean[name], low, high)
        if number is None:
            errors[name] = f"{low} to {high}"
        clean[name] = number
    if clean["queue_priority"] is not None and clean["queue_priority"] not in Priority.values:
        errors["queue_priority"] = f"empty or one of {Priority.values}"
    clean["active"] = bool(clean["active"])
    taken = ValueTier.objects.filter(code=clean["code"]).exclude(pk=tier_id or 0).exists()
    if taken:
        errors["code"] = "another tier has this code"
    if tier_id is not None:
        stored = ValueTier.objects.filter(pk=tier_id).values("code", "active").first()
        if stored is None:
            raise NotFound("value tier not found")
        if stored["code"] != clean["code"]:
            # Customers, time standards and the tier history refer to the code.
            errors["code"] = "a tier's code does not change; add a new tier instead"
        others = ValueTier.objects.filter(active=True).exclude(pk=tier_id).exists()
        if stored["active"] and not clean["active"] and not others:
            errors["active"] = "at least one tier stays active"
    if errors:
        raise ValidationFailed("invalid value tier", fields=errors)
    return clean


def save_value_tier(
    *, actor: Actor, values: dict[str, Any], tier_id: int | None = None
) -> ValueTier:
    """Create a value tier, or change the one given (its code stays; fields not given keep
    their value). Recorded as created, or changed with the fields' before and after; saving
    an unchanged tier records nothing."""
    ensure_may_configure(actor)
    with transaction.atomic():
        tier = (
            ValueTier()
            if tier_id is None
            else ValueTier.objects.select_for_update().filter(pk=tier_id).first()
        )
        if tier is None:
            raise NotFound("value tier not found")
        before = {f: getattr(tier, f) for f in TIER_FIELDS}
        clean = clean_value_tier({**before, **values}, tier_id=tier_id)
        for name, value in clean.items():
            setattr(tier, name, value)
        if tier_id is None:
            tier.save()
            record_configuration_event(tier, "created", actor=actor, after=clean)
            return tier
        change = changed_fields(tier, before, TIER_FIELDS)
        if change["before"]:
            tier.save(update_fields=list(change["before"]))
            record_configuration_event(tier, "changed", actor=actor, **change)
    return tier


def _cuts(value: Any) -> list[float] | None:
    """Four ascending non-negative numbers, or none (the shipped defaults apply)."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or len(value) != 4:
        return None
    try:
        numbers = [float(v) for v in value]
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(n) and n >= 0 for n in numbers) or numbers != sorted(numbers):
        return None
    if len(set(numbers)) != 4:
        return None
    return [int(n) if n == int(n) else n for n in numbers]


def clean_crm_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The parameters checked; raises ValidationFailed naming the fields."""
    errors: dict[str, str] = {}
    clean = {f: values.get(f) for f in SETTINGS_FIELDS}
    for name, low, high in (
        ("window_days", 1, 3650),
        ("churn_window_days", 1, 3650),
        ("follow_up_days", 0, 365),
    ):
        number = _whole(clean[name], low, high)
        if number is None:
            errors[name] = f"{low} to {high} days"
        clean[name] = number
    if clean["method"] not in ScoringMethod.values:
        errors["method"] = f"one of {ScoringMethod.values}"
    for name in CUTS:
        cuts = _cuts(clean[name])
        if cuts is None:
            errors[name] = "four ascending numbers, or empty"
        clean[name] = cuts
    numbers: dict[str, float] = {}
    for name in ("churn_threshold", *WEIGHTS):
        try:
            numbers[name] = float(clean[name])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[name] = "a number"
            continue
        if not math.isfinite(numbers[name]) or not 0 <= numbers[name] <= 100:
            errors[name] = "0 to 100"
        clean[name] = numbers[name]
    if not errors and not any(numbers[w] > 0 for w in WEIGHTS):
        errors["weight_decline"] = "at least one weight above 0"
    if errors:
        raise ValidationFailed("invalid CRM settings", fields=errors)
    return clean


def update_crm_settings(*, actor: Actor, **values: Any) -> CrmSettings:
    """Change the grading window and method, the cut points, the churn weights, threshold and
    follow-up period (fields not given keep their value). Recorded with before and after."""
    ensure_may_configure(actor)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationFailed("not a setting", fields={f: "not a setting" for f in unknown})
    with transaction.atomic():
        row = CrmSettings.objects.select_for_update().filter(pk=1).first()
        created = row is None
        if row is None:
            row = CrmSettings(pk=1, **DEFAULT_CUTS)
        before = {f: getattr(row, f) for f in SETTINGS_FIELDS}
        clean = clean_crm_settings({**before, **values})
        for name, value in clean.items():
            setattr(row, name, value)
        change = changed_fields(row, before, SETTINGS_FIELDS)
        if created:
            row.save(force_insert=True)
            record_configuration_event(row, "created", actor=actor, after=clean)
        elif change["before"]:
            row.save(update_fields=list(change["before"]))
            record_configuration_event(row, "changed", actor=actor, **change)
    return row
