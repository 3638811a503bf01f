"""Writes of the crm app: satisfaction, needs, RFM grading, churn warning, follow-ups."""

from __future__ import annotations

import datetime as dt
import math

from django.db import IntegrityError, transaction

from kefu.accounts.actors import Actor
from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.crm.models import SatisfactionRecord
from kefu.customers.models import Customer


def record_satisfaction(
    *,
    actor: Actor,
    customer_id: int,
    score: float,
    scale_max: float,
    source: str,
    reference: str,
    measured_at: dt.datetime,
) -> None:
    """A satisfaction measurement (e.g. a survey answer 1 on a 5-point scale) that feeds the
    churn warning. Idempotent on (source, reference): a repeat changes nothing."""
    errors: dict[str, str] = {}
    source, reference = (source or "").strip(), (reference or "").strip()
    if not source or len(source) > 40:
        errors["source"] = "1 to 40 characters"
    if not reference or len(reference) > 100:
        errors["reference"] = "1 to 100 characters"
    try:
        score, scale_max = float(score), float(scale_max)
    except (TypeError, ValueError):
        errors["score"] = "a number"
        score, scale_max = 0.0, 1.0
    if not (math.isfinite(scale_max) and scale_max > 0):
        errors["scale_max"] = "a positive number"
    elif not (math.isfinite(score) and 0 <= score <= scale_max):
        errors["score"] = f"between 0 and {scale_max:g}"
    if not isinstance(measured_at, dt.datetime):
        errors["measured_at"] = "a date and time"
    if errors:
        raise ValidationFailed("invalid satisfaction measurement", fields=errors)
    if not Customer.objects.filter(pk=customer_id).exists():
        raise NotFound("customer not found")
    if SatisfactionRecord.objects.filter(source=source, reference=reference).exists():
        return
    try:
        with transaction.atomic():
            SatisfactionRecord.objects.create(
                customer_id=customer_id,
                score=score,
                scale_max=scale_max,
                normalised=score / scale_max,
                source=source,
                reference=reference,
                measured_at=measured_at,
                recorded_at=clock.now(),
            )
    except IntegrityError:
        return  # a concurrent writer recorded the same measurement first
