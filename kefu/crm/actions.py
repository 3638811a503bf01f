"""Writes of the crm app: satisfaction, needs, RFM grading, churn warning, follow-ups."""

from __future__ import annotations

import datetime as dt
import math
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum

from kefu.accounts.actors import Actor
from kefu.accounts.roles import is_supervising
from kefu.cases.actions import change_customer_tier
from kefu.cases.models import Case
from kefu.core import clock
from kefu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kefu.core.tasks import enqueue_on_commit
from kefu.crm import rfm
from kefu.crm.models import CustomerValue, SatisfactionRecord, TierChange
from kefu.crm.selectors import DEFAULT_CUTS, active_tiers, crm_settings
from kefu.customers.actions import set_tiers_in_bulk
from kefu.customers.models import ConsumptionRecord, Customer


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


# --- RFM grading -----------------------------------------------------------------------------

GRADING_SOURCE = "rfm"
WRITE_BATCH = 5000


@dataclass(frozen=True)
class GradingResult:
    graded: int
    written: int
    tier_changes: int
    seconds: float


def _aggregate_consumption(start: dt.date, today: dt.date) -> tuple[Any, Any, Any, Any]:
    ids, last, count, cents = (array("q") for _ in range(4))
    rows = (
        ConsumptionRecord.objects.filter(occurred_on__gt=start, occurred_on__lte=today)
        .values("customer_id")
        .annotate(last=Max("occurred_on"), n=Count("id"), total=Sum("amount"))
        .order_by("customer_id")
        .values_list("customer_id", "last", "n", "total")
    )
    for customer_id, last_on, n, total in rows.iterator(chunk_size=20000):
        ids.append(customer_id)
        last.append(last_on.toordinal())
        count.append(n)
        cents.append(int(Decimal(total or 0) * 100))
    return tuple(
        np.frombuffer(a, dtype=np.int64) if a else np.zeros(0, np.int64)
        for a in (ids, last, count, cents)
    )  # type: ignore[return-value]


def _existing_values() -> dict[str, Any]:
    cols: dict[str, array[int]] = {
        k: array("q") for k in ("ids", "last", "n", "cents", "r", "f", "m")
    }
    rows = CustomerValue.objects.order_by("customer_id").values_list(
        "customer_id", "last_purchase_on", "frequency", "monetary", "r", "f", "m"
    )
    for customer_id, last_on, n, monetary, r, f, m in rows.iterator(chunk_size=20000):
        cols["ids"].append(customer_id)
        cols["last"].append(last_on.toordinal() if last_on else 0)
        cols["n"].append(n)
        cols["cents"].append(int(monetary * 100))
        cols["r"].append(r)
        cols["f"].append(f)
        cols["m"].append(m)
    return {
        k: np.frombuffer(v, dtype=np.int64) if v else np.zeros(0, np.int64) for k, v in cols.items()
    }


def _aligned(target: Any, ids: Any, values: Any, missing: int) -> Any:
    """values (keyed by sorted ids) laid out along the sorted target ids."""
    out = np.full(len(target), missing, dtype=np.int64)
    if len(ids):
        pos = np.searchsorted(ids, target)
        pos_clipped = np.minimum(pos, len(ids) - 1)
        hit = ids[pos_clipped] == target
        out[hit] = values[pos_clipped[hit]]
    return out


def recompute_grades(
    *, actor: Actor, today: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> GradingResult:
    """Grade every customer with purchases in the window (or graded before) by RFM, store the
    grades that changed, and move the customers whose tier changed, each change an event with
    the R, F, M values that caused it. Bulk and vectorised: a million customers in seconds."""
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers regrade customers")
    started = time.monotonic()
    settings = crm_settings()
    tiers = active_tiers()
    if not tiers:
        raise ValidationFailed("no active value tier", fields={"tiers": "configure at least one"})
    today = today or clock.now().date()
    tier_index = {t.code: i for i, t in enumerate(tiers)}
    say = progress or (lambda _text: None)

    agg_ids, agg_last, agg_n, agg_cents = _aggregate_consumption(
        today - dt.timedelta(days=settings.window_days), today
    )
    say(f"aggregated {len(agg_ids)} customers with purchases")
    ex = _existing_values()
    ids = np.union1d(agg_ids, ex["ids"])
    last = _aligned(ids, agg_ids, agg_last, 0)
    freq = _aligned(ids, agg_ids, agg_n, 0)
    cents = _aligned(ids, agg_ids, agg_cents, 0)
    grades = rfm.grade(
        last_ordinal=last,
        frequency=freq,
        monetary=cents.astype(np.float64),
        today_ordinal=today.toordinal(),
        method=settings.method,
        recency_cuts=[float(c) for c in settings.recency_cuts or DEFAULT_CUTS["recency_cuts"]],
        frequency_cuts=[
            float(c) for c in settings.frequency_cuts or DEFAULT_CUTS["frequency_cuts"]
        ],
        monetary_cuts=[
            float(c) * 100 for c in settings.monetary_cuts or DEFAULT_CUTS["monetary_cuts"]
        ],
    )
    score = grades.score
    new_tier = rfm.tiers_for(score, [(t.min_score, i) for i, t in enumerate(tiers)])

    changed = np.ones(len(ids), dtype=bool)
    if len(ex["ids"]):
        known = np.isin(ids, ex["ids"], assume_unique=True)
        same = np.ones(len(ids), dtype=bool)
        for col, mine in (
            ("last", last),
            ("n", freq),
            ("cents", cents),
            ("r", grades.r),
            ("f", grades.f),
            ("m", grades.m),
        ):
            same &= _aligned(ids, ex["ids"], ex[col], -1) == mine
        changed = ~(known & same)

    now = clock.now()
    written = 0
    for start in range(0, len(ids), WRITE_BATCH):
        chunk = np.nonzero(changed[start : start + WRITE_BATCH])[0] + start
        if not len(chunk):
            continue
        CustomerValue.objects.bulk_create(
            [
                CustomerValue(
                    customer_id=int(ids[i]),
                    last_purchase_on=dt.date.fromordinal(int(last[i])) if last[i] else None,
                    frequency=int(freq[i]),
                    monetary=Decimal(int(cents[i])) / 100,
                    r=int(grades.r[i]),
                    f=int(grades.f[i]),
                    m=int(grades.m[i]),
                    score=int(score[i]),
                    tier=tiers[int(new_tier[i])].code,
                    computed_at=now,
                )
                for i in chunk
            ],
            update_conflicts=True,
            unique_fields=["customer"],
            update_fields=[
                "last_purchase_on",
                "frequency",
                "monetary",
                "r",
                "f",
                "m",
                "score",
                "tier",
                "computed_at",
            ],
        )
        written += len(chunk)
    say(f"stored {written} changed grades")

    current = _customer_tiers(ids, tier_index)
    moves = np.nonzero(current != new_tier)[0]
    for start in range(0, len(moves), WRITE_BATCH):
        _apply_tier_moves(
            actor=actor,
            rows=[
                _TierMove(
                    customer_id=int(ids[i]),
                    tier=tiers[int(new_tier[i])].code,
                    last=int(last[i]),
                    frequency=int(freq[i]),
                    cents=int(cents[i]),
                    r=int(grades.r[i]),
                    f=int(grades.f[i]),
                    m=int(grades.m[i]),
                )
                for i in moves[start : start + WRITE_BATCH]
            ],
            today=today,
        )
    say(f"moved {len(moves)} customers to a new tier")
    return GradingResult(
        graded=len(ids),
        written=written,
        tier_changes=len(moves),
        seconds=round(time.monotonic() - started, 3),
    )


def _customer_tiers(ids: Any, tier_index: dict[str, int]) -> Any:
    """The tier index each customer holds now (-1 for a tier that is not an active one)."""
    out = np.full(len(ids), -1, dtype=np.int64)
    for start in range(0, len(ids), 20000):
        chunk = [int(i) for i in ids[start : start + 20000]]
        found = dict(Customer.objects.filter(pk__in=chunk).values_list("pk", "tier"))
        out[start : start + len(chunk)] = [tier_index.get(found.get(i, ""), -1) for i in chunk]
    return out


@dataclass(frozen=True)
class _TierMove:
    customer_id: int
    tier: str
    last: int
    frequency: int
    cents: int
    r: int
    f: int
    m: int


def _apply_tier_moves(*, actor: Actor, rows: list[_TierMove], today: dt.date) -> None:
    """One batch of tier changes: customers with open cases through change_customer_tier (their
    time standards move too), the others in bulk; every change a TierChange event."""
    ids = [row.customer_id for row in rows]
    with transaction.atomic():
        previous = dict(
            Customer.objects.select_for_update().filter(pk__in=ids).values_list("pk", "tier")
        )
        with_open_cases = set(
            Case.objects.filter(customer_id__in=ids, clocks__stopped_at__isnull=True)
            .values_list("customer_id", flat=True)
            .distinct()
        )
        set_tiers_in_bulk(
            {r.customer_id: r.tier for r in rows if r.customer_id not in with_open_cases},
            actor=actor,
        )
        for row in rows:
            if row.customer_id in with_open_cases:
                change_customer_tier(row.customer_id, actor=actor, tier=row.tier)
        now = clock.now()
        TierChange.objects.bulk_create(
            [
                TierChange(
                    customer_id=row.customer_id,
                    at=now,
                    previous=previous.get(row.customer_id, ""),
                    tier=row.tier,
                    recency_days=(today.toordinal() - row.last) if row.last else None,
                    frequency=row.frequency,
                    monetary=Decimal(row.cents) / 100,
                    r=row.r,
                    f=row.f,
                    m=row.m,
                    score=row.r + row.f + row.m,
                    reason=GRADING_SOURCE,
                    **actor.as_record(),
                )
                for row in rows
                if row.customer_id in previous
            ]
        )


@transaction.atomic
def set_tier_manually(*, actor: Actor, customer_id: int, tier: str, reason: str) -> TierChange:
    """A supervisor's tier decision (e.g. a contract VIP), with the reason and the customer's
    current R, F, M values on the event. The next grading run may regrade the customer."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("a reason is required", fields={"reason": "required"})
    if tier not in {t.code for t in active_tiers()}:
        raise ValidationFailed("unknown tier", fields={"tier": "an active value tier"})
    previous = Customer.objects.filter(pk=customer_id).values_list("tier", flat=True).first()
    if previous is None:
        raise NotFound("customer not found")
    change_customer_tier(customer_id, actor=actor, tier=tier)
    value = CustomerValue.objects.filter(customer_id=customer_id).first()
    today = clock.now().date()
    return TierChange.objects.create(
        customer_id=customer_id,
        at=clock.now(),
        previous=previous,
        tier=tier,
        recency_days=(today - value.last_purchase_on).days
        if value and value.last_purchase_on
        else None,
        frequency=value.frequency if value else 0,
        monetary=value.monetary if value else Decimal(0),
        r=value.r if value else None,
        f=value.f if value else None,
        m=value.m if value else None,
        score=value.score if value else None,
        reason=reason[:300],
        **actor.as_record(),
    )


def request_regrading(*, actor: Actor) -> None:
    """Regrade every customer now, in the worker."""
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers regrade customers")
    from kefu.crm.tasks import regrade_task

    enqueue_on_commit(regrade_task)
