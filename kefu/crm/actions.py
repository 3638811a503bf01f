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
from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone

from kefu.accounts.actors import Actor
from kefu.accounts.audit import changed_fields, record_configuration_event
from kefu.accounts.models import Team, User
from kefu.accounts.roles import is_supervising, may_take_contacts
from kefu.cases.actions import (
    assign_case,
    change_customer_tier,
    edit_case,
    recompute_clocks_of_cases,
    transfer_case,
)
from kefu.cases.choices import CaseStatus, ReturnVisitOutcome
from kefu.cases.models import Case, CaseClock, ReturnVisit
from kefu.cases.permissions import scope_cases
from kefu.core import clock
from kefu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kefu.core.tasks import enqueue_on_commit
from kefu.crm import churn, rfm
from kefu.crm.choices import NeedCategory, NeedStatus, TaskStatus
from kefu.crm.configuration import save_value_tier as save_value_tier
from kefu.crm.configuration import update_crm_settings as update_crm_settings
from kefu.crm.models import (
    ChurnAssessment,
    ChurnEpisode,
    CrmSettings,
    CustomerValue,
    FollowUpTask,
    Need,
    SatisfactionRecord,
    TierChange,
    ValueTier,
)
from kefu.crm.needs import need_priority
from kefu.crm.reference_data import DEFAULT_CUTS, DEFAULT_TIERS
from kefu.crm.selectors import active_tiers, crm_settings
from kefu.customers.actions import (
    record_customer_event,
    record_customer_events,
    set_tiers_in_bulk,
)
from kefu.customers.choices import CustomerEventType
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
            record = SatisfactionRecord.objects.create(
                customer_id=customer_id,
                score=score,
                scale_max=scale_max,
                normalised=score / scale_max,
                source=source,
                reference=reference,
                measured_at=measured_at,
                recorded_at=clock.now(),
            )
            record_customer_event(
                customer_id,
                CustomerEventType.SATISFACTION_RECORDED,
                actor=actor,
                record_id=record.pk,
                score=score,
                scale_max=scale_max,
                source=source,
                reference=reference,
                measured_at=measured_at.isoformat(),
            )
    except IntegrityError:
        return  # a concurrent writer recorded the same measurement first


# --- RFM grading -----------------------------------------------------------------------------

GRADING_SOURCE = "rfm"
WRITE_BATCH = 5000
VALUE_BATCH = 50_000  # grades written per COPY


@dataclass(frozen=True)
class GradingResult:
    graded: int
    written: int
    tier_changes: int
    seconds: float
    moves_seconds: float = 0.0  # of which moving tiers (events, open cases' time standards)


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
    today = today or clock.today()
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
    for start in range(0, len(ids), VALUE_BATCH):
        chunk = np.nonzero(changed[start : start + VALUE_BATCH])[0] + start
        if not len(chunk):
            continue
        _upsert_values(
            [
                (
                    int(ids[i]),
                    dt.date.fromordinal(int(last[i])) if last[i] else None,
                    int(freq[i]),
                    Decimal(int(cents[i])) / 100,
                    int(grades.r[i]),
                    int(grades.f[i]),
                    int(grades.m[i]),
                    int(score[i]),
                    tiers[int(new_tier[i])].code,
                    now,
                )
                for i in chunk
            ]
        )
        written += len(chunk)
    say(f"stored {written} changed grades")

    moves_started = time.monotonic()
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
        moves_seconds=round(time.monotonic() - moves_started, 3),
    )


VALUE_COLUMNS = (
    "customer_id",
    "last_purchase_on",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "score",
    "tier",
    "computed_at",
)


def _upsert_values(rows: list[tuple[Any, ...]]) -> None:
    """Write grades (one tuple per customer, VALUE_COLUMNS order). PostgreSQL: COPY into a
    temporary table, then one INSERT … ON CONFLICT — a million rows in seconds, where
    Django's bulk upsert prepares every value in Python; elsewhere bulk_create."""
    if connection.vendor != "postgresql":
        CustomerValue.objects.bulk_create(
            [CustomerValue(**dict(zip(VALUE_COLUMNS, row, strict=True))) for row in rows],
            update_conflicts=True,
            unique_fields=["customer"],
            update_fields=list(VALUE_COLUMNS[1:]),
        )
        return
    table = CustomerValue._meta.db_table
    columns = ", ".join(VALUE_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in VALUE_COLUMNS[1:])
    with transaction.atomic(), connection.cursor() as cursor:
        # Inside an outer transaction ON COMMIT DROP waits for its end: drop a leftover first.
        cursor.execute("DROP TABLE IF EXISTS crm_value_load")
        cursor.execute(
            f"CREATE TEMP TABLE crm_value_load (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY crm_value_load ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM crm_value_load "
            f"ON CONFLICT (customer_id) DO UPDATE SET {updates}"
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
    """One batch of tier changes in a few statements whatever its size: the tiers set in
    bulk, the open cases' time standards recomputed in bulk (as change_customer_tier does for
    one customer: an SLA-recomputed event on each case whose due times moved), and every
    change a TierChange event."""
    ids = [row.customer_id for row in rows]
    with transaction.atomic():
        previous = dict(
            Customer.objects.select_for_update().filter(pk__in=ids).values_list("pk", "tier")
        )
        moving = [r for r in rows if r.customer_id in previous]
        set_tiers_in_bulk({r.customer_id: r.tier for r in moving}, actor=actor)
        open_cases = (
            Case.objects.filter(
                customer_id__in=[r.customer_id for r in moving], clocks__stopped_at__isnull=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        recompute_clocks_of_cases(open_cases, actor=actor, reason="tier")
        now = clock.now()
        who = actor.as_record()
        _insert_tier_changes(
            [
                {
                    "customer_id": row.customer_id,
                    "at": now,
                    "previous": previous.get(row.customer_id, ""),
                    "tier": row.tier,
                    "recency_days": (today.toordinal() - row.last) if row.last else None,
                    "frequency": row.frequency,
                    "monetary": Decimal(row.cents) / 100,
                    "r": row.r,
                    "f": row.f,
                    "m": row.m,
                    "score": row.r + row.f + row.m,
                    "reason": GRADING_SOURCE,
                    "actor_kind": who["actor_kind"],
                    "actor_user_id": who["actor_user"].pk if who["actor_user"] else None,
                    "actor_customer_id": who["actor_customer_id"],
                    "actor_source": who["actor_source"],
                }
                for row in rows
                if row.customer_id in previous
            ]
        )


def _insert_tier_changes(rows: list[dict[str, Any]]) -> None:
    """Append tier-change events: COPY on PostgreSQL (a grading run may move a million
    customers), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        TierChange.objects.bulk_create([TierChange(**row) for row in rows])
        return
    columns = list(rows[0])
    table = TierChange._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[c] for c in columns])


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
    today = clock.today()
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


# --- Churn warning ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnResult:
    assessed: int
    at_risk: int
    episodes_opened: int
    episodes_closed: int


def _churn_inputs(
    population: set[int] | None, *, now: dt.datetime, window_days: int
) -> dict[int, churn.ChurnInputs]:
    today = timezone.localdate(now)
    since = now - dt.timedelta(days=window_days)
    recent_from = today - dt.timedelta(days=window_days)
    earlier_from = today - dt.timedelta(days=2 * window_days)
    inputs: dict[int, churn.ChurnInputs] = {}

    def scoped(qs: Any, field: str) -> Any:
        return qs if population is None else qs.filter(**{f"{field}__in": population})

    def of(customer_id: int) -> churn.ChurnInputs:
        found = inputs.get(customer_id)
        if found is None:
            found = inputs[customer_id] = churn.ChurnInputs()
        return found

    base = scoped(CustomerValue.objects.all(), "customer_id")
    for customer_id, last_on in base.values_list("customer_id", "last_purchase_on").iterator(
        chunk_size=20000
    ):
        item = of(customer_id)
        if last_on is not None:
            item.days_since_contact = (today - last_on).days
    spend = (
        scoped(ConsumptionRecord.objects.filter(occurred_on__gt=earlier_from), "customer_id")
        .values("customer_id")
        .annotate(
            recent=Sum("amount", filter=Q(occurred_on__gt=recent_from)),
            earlier=Sum("amount", filter=Q(occurred_on__lte=recent_from)),
        )
        .values_list("customer_id", "recent", "earlier")
    )
    for customer_id, recent, earlier in spend.iterator(chunk_size=20000):
        item = of(customer_id)
        item.recent_spend, item.earlier_spend = recent or Decimal(0), earlier or Decimal(0)
    complaints = (
        scoped(Case.objects.filter(is_complaint=True, created_at__gte=since), "customer_id")
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    for customer_id, n in complaints:
        of(customer_id).complaints = n
    breaches = (
        scoped(CaseClock.objects.filter(breached_at__gte=since), "case__customer_id")
        .values("case__customer_id")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("case__customer_id", "n")
    )
    for customer_id, n in breaches:
        of(customer_id).breaches = n
    surveyed = (
        scoped(SatisfactionRecord.objects.filter(measured_at__gte=since), "customer_id")
        .values("customer_id")
        .annotate(avg=Avg("normalised"))
        .values_list("customer_id", "avg")
    )
    for customer_id, avg in surveyed:
        item = of(customer_id)
        item.satisfaction, item.satisfaction_source = float(avg), "survey"
    visits = (
        scoped(
            ReturnVisit.objects.filter(
                recorded_at__gte=since,
                outcome__in=[ReturnVisitOutcome.SATISFIED, ReturnVisitOutcome.NOT_SATISFIED],
            ),
            "case__customer_id",
        )
        .values("case__customer_id")
        .annotate(n=Count("id"), good=Count("id", filter=Q(outcome=ReturnVisitOutcome.SATISFIED)))
        .values_list("case__customer_id", "n", "good")
    )
    for customer_id, n, good in visits:
        item = of(customer_id)
        if item.satisfaction is None and n:
            item.satisfaction, item.satisfaction_source = good / n, "return_visit"
    last_cases = (
        scoped(Case.objects.filter(customer_id__in=list(inputs)), "customer_id")
        .values("customer_id")
        .annotate(last=Max("created_at"))
        .values_list("customer_id", "last")
    )
    for customer_id, last in last_cases:
        item = inputs[customer_id]
        days = max(0, (now - last).days)
        if item.days_since_contact is None or days < item.days_since_contact:
            item.days_since_contact = days
    return inputs


def assess_churn(
    *, actor: Actor, customer_ids: list[int] | None = None, now: dt.datetime | None = None
) -> ChurnResult:
    """Score every graded customer (or the ones given) for churn risk, with the reasons; a
    customer crossing the threshold opens an episode with one follow-up task for the account
    manager, and the episode ends when the score falls back below it."""
    if actor.is_staff and actor.user is not None and not is_supervising(actor.user):
        raise PermissionDenied("only supervisors and managers run the churn warning")
    now = now or clock.now()
    settings = crm_settings()
    weights = {
        "decline": settings.weight_decline,
        "complaints": settings.weight_complaints,
        "breaches": settings.weight_breaches,
        "satisfaction": settings.weight_satisfaction,
        "silence": settings.weight_silence,
    }
    population = set(customer_ids) if customer_ids is not None else None
    inputs = _churn_inputs(population, now=now, window_days=settings.churn_window_days)
    at_risk: set[int] = set()
    rows: list[ChurnAssessment] = []
    for customer_id, item in inputs.items():
        result = churn.score(item, weights, settings.churn_window_days)
        risky = result.score >= settings.churn_threshold
        if risky:
            at_risk.add(customer_id)
        rows.append(
            ChurnAssessment(
                customer_id=customer_id,
                score=result.score,
                components=result.components,
                reasons=result.reasons,
                at_risk=risky,
                computed_at=now,
            )
        )
    opened = closed = 0
    for start in range(0, len(rows), WRITE_BATCH):
        with transaction.atomic():
            ChurnAssessment.objects.bulk_create(
                rows[start : start + WRITE_BATCH],
                update_conflicts=True,
                unique_fields=["customer"],
                update_fields=["score", "components", "reasons", "at_risk", "computed_at"],
            )
    assessed = {row.customer_id: row for row in rows}
    open_episodes = {
        e.customer_id: e
        for e in ChurnEpisode.objects.filter(ended_at__isnull=True).only(
            "pk", "customer_id", "started_at", "peak_score"
        )
        if population is None or e.customer_id in population
    }
    ending = [e for c, e in open_episodes.items() if c not in at_risk]
    starting = sorted(at_risk - set(open_episodes))
    # A higher score while the episode stays open raises its peak (one UPDATE per batch).
    raised = [
        e for c, e in open_episodes.items() if c in at_risk and e.peak_score < assessed[c].score
    ]
    for episode in raised:
        episode.peak_score = assessed[episode.customer_id].score
    with transaction.atomic():
        for start in range(0, len(ending), WRITE_BATCH):
            batch = ending[start : start + WRITE_BATCH]
            closed += ChurnEpisode.objects.filter(pk__in=[e.pk for e in batch]).update(ended_at=now)
            record_customer_events(
                CustomerEventType.CHURN_WARNING_CLOSED,
                [
                    (
                        e.customer_id,
                        {
                            "episode_id": e.pk,
                            "started_at": e.started_at.isoformat(),
                            "peak_score": e.peak_score,
                            "score": assessed[e.customer_id].score
                            if e.customer_id in assessed
                            else None,
                        },
                    )
                    for e in batch
                ],
                actor=actor,
            )
        for start in range(0, len(starting), WRITE_BATCH):
            opened += _open_episodes(
                starting[start : start + WRITE_BATCH], assessed, now, settings, actor=actor
            )
        ChurnEpisode.objects.bulk_update(raised, ["peak_score"], batch_size=WRITE_BATCH)
    return ChurnResult(
        assessed=len(rows), at_risk=len(at_risk), episodes_opened=opened, episodes_closed=closed
    )


def _open_episodes(
    customer_ids: list[int],
    assessed: dict[int, ChurnAssessment],
    now: dt.datetime,
    settings: Any,
    *,
    actor: Actor,
) -> int:
    # The account manager, else the supervisor of the customer's dedicated team.
    managers = {
        pk: manager or supervisor
        for pk, manager, supervisor in Customer.objects.filter(pk__in=customer_ids).values_list(
            "pk", "account_manager_id", "dedicated_team__supervisor_id"
        )
    }
    episodes = ChurnEpisode.objects.bulk_create(
        [
            ChurnEpisode(customer_id=c, started_at=now, peak_score=assessed[c].score)
            for c in customer_ids
        ]
    )
    if any(e.pk is None for e in episodes):  # backends that do not return ids
        episodes = list(
            ChurnEpisode.objects.filter(customer_id__in=customer_ids, ended_at__isnull=True)
        )
    due = now + dt.timedelta(days=settings.follow_up_days)
    tasks = FollowUpTask.objects.bulk_create(
        [
            FollowUpTask(
                customer_id=e.customer_id,
                episode=e,
                assignee_id=managers.get(e.customer_id),
                title=FOLLOW_UP_TITLE,
                due_at=due,
                created_at=now,
            )
            for e in episodes
        ]
    )
    record_customer_events(
        CustomerEventType.CHURN_WARNING_OPENED,
        [
            (
                t.customer_id,
                {
                    "episode_id": t.episode_id,
                    "score": assessed[t.customer_id].score,
                    "reasons": [r["code"] for r in assessed[t.customer_id].reasons],
                    "follow_up_id": t.pk,
                    "assignee_id": t.assignee_id,
                    "due_at": due.isoformat(),
                },
            )
            for t in tasks
        ],
        actor=actor,
    )
    return len(episodes)


FOLLOW_UP_TITLE = "流失预警跟进"


def _locked_follow_up(task_id: int) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound("follow-up task not found")
    return task


@transaction.atomic
def assign_follow_up(*, actor: Actor, task_id: int, assignee_id: int) -> FollowUpTask:
    """A supervisor gives an open follow-up to a member of staff (themselves, to take it):
    the way to the tasks of customers without an account manager, which start unassigned."""
    task = _locked_follow_up(task_id)
    user = actor.user if actor.is_staff else None
    if user is not None and not is_supervising(user):
        raise PermissionDenied("only supervisors and managers assign follow-ups")
    assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
    if assignee is None:
        raise ValidationFailed(
            "no such member of staff", fields={"assignee_id": "an active member of staff"}
        )
    if task.status == TaskStatus.DONE:
        raise Conflict("this follow-up is already done")
    if task.assignee_id == assignee.pk:
        return task
    before, task.assignee = task.assignee_id, assignee
    task.save(update_fields=["assignee"])
    record_customer_event(
        task.customer_id,
        CustomerEventType.FOLLOW_UP_ASSIGNED,
        actor=actor,
        task_id=task.pk,
        episode_id=task.episode_id,
        before=before,
        assignee_id=assignee.pk,
        assignee_name=assignee.label,
    )
    return task


@transaction.atomic
def complete_follow_up(*, actor: Actor, task_id: int, note: str) -> FollowUpTask:
    """The account manager (or a supervisor) records the follow-up call."""
    task = _locked_follow_up(task_id)
    user = actor.user if actor.is_staff else None
    if user is not None and task.assignee_id != user.pk and not is_supervising(user):
        raise PermissionDenied("only the assignee or a supervisor completes this task")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("a note is required", fields={"note": "required"})
    if task.status == TaskStatus.DONE:
        raise Conflict("this follow-up is already done")
    task.status, task.done_at, task.note = TaskStatus.DONE, clock.now(), note[:5000]
    task.save(update_fields=["status", "done_at", "note"])
    record_customer_event(
        task.customer_id,
        CustomerEventType.FOLLOW_UP_DONE,
        actor=actor,
        task_id=task.pk,
        episode_id=task.episode_id,
        title=task.title,
        note=task.note,
    )
    return task


# --- Differentiated service: the tier raises priority and routes to the dedicated people ------

TIER_SERVICE_ACTOR = "crm.tier_service"
ROUTE_WITHIN = dt.timedelta(hours=1)


def apply_tier_service(case_id: int, *, event_type: str) -> list[str]:
    """What the customer's tier and dedicated people change on a fresh case: a new case gets
    the tier's minimum queue priority and goes to the dedicated team; an accepted one with no
    handler goes to the account manager. Returns what it did (for the log and tests)."""
    actor = Actor.automation(TIER_SERVICE_ACTOR)
    case = (
        Case.objects.select_related("customer", "customer__account_manager")
        .filter(pk=case_id)
        .first()
    )
    if case is None or clock.now() - case.created_at > ROUTE_WITHIN:
        return []
    customer, done = case.customer, []
    if event_type == "created" and case.status == CaseStatus.NEW:
        tier = ValueTier.objects.filter(code=customer.tier, active=True).first()
        if tier is not None and tier.queue_priority and case.priority < tier.queue_priority:
            case = edit_case(
                case.pk, actor=actor, version=case.version, priority=tier.queue_priority
            )
            done.append("priority")
        if customer.dedicated_team_id and case.team_id != customer.dedicated_team_id:
            team = Team.objects.get(pk=customer.dedicated_team_id)
            transfer_case(case.pk, actor=actor, team=team, reason="dedicated_team")
            done.append("team")
    manager = customer.account_manager
    if (
        event_type == "accepted"
        and case.status == CaseStatus.ACCEPTED
        and case.handler_id is None
        and manager is not None
        and manager.is_active
    ):
        assign_case(case.pk, actor=actor, handler=manager, reason="account_manager")
        done.append("handler")
    return done


# --- Needs -----------------------------------------------------------------------------------

NEED_FIELDS = ("importance", "urgency", "feasibility")
NEED_TRACKED = (*NEED_FIELDS, "days_to_fulfil", "priority", "status")  # in NEED_UPDATED events


def _need_scores(values: dict[str, Any]) -> dict[str, int]:
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for name in (*NEED_FIELDS, "days_to_fulfil"):
        try:
            clean[name] = int(values[name])
        except (KeyError, TypeError, ValueError):
            errors[name] = "a whole number"
            continue
        if name in NEED_FIELDS and not 1 <= clean[name] <= 5:
            errors[name] = "1 to 5"
        if name == "days_to_fulfil" and not 0 <= clean[name] <= 3650:
            errors[name] = "0 to 3650 days"
    if errors:
        raise ValidationFailed("invalid need assessment", fields=errors)
    return clean


@transaction.atomic
def record_need(
    *,
    actor: Actor,
    customer_id: int,
    category: str,
    title: str,
    importance: int,
    urgency: int,
    feasibility: int,
    days_to_fulfil: int,
    description: str = "",
    case_ids: list[int] | None = None,
) -> Need:
    """A customer need, classified and assessed; its priority follows kefu.crm.needs."""
    user = actor.user if actor.is_staff else None
    if user is not None and not (may_take_contacts(user) or is_supervising(user)):
        raise PermissionDenied("your role may not record customer needs")
    if category not in NeedCategory.values:
        raise ValidationFailed(
            "invalid category", fields={"category": f"one of {NeedCategory.values}"}
        )
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed("title is required", fields={"title": "1 to 200 characters"})
    scores = _need_scores(
        {
            "importance": importance,
            "urgency": urgency,
            "feasibility": feasibility,
            "days_to_fulfil": days_to_fulfil,
        }
    )
    if not Customer.objects.filter(pk=customer_id).exists():
        raise NotFound("customer not found")
    linked = Case.objects.filter(pk__in=case_ids or [], customer_id=customer_id)
    if user is not None:
        linked = scope_cases(linked, user)  # a case the actor may not see is unknown to them
    cases = list(linked)
    if case_ids and len(cases) != len(set(case_ids)):
        raise ValidationFailed("cases must be this customer's", fields={"case_ids": "unknown"})
    now = clock.now()
    need = Need.objects.create(
        customer_id=customer_id,
        category=category,
        title=title,
        description=(description or "").strip(),
        priority=need_priority(**scores),
        created_by=actor.user if actor.is_staff else None,
        created_at=now,
        updated_at=now,
        **scores,
    )
    if cases:
        need.cases.set(cases)
    record_customer_event(
        customer_id,
        CustomerEventType.NEED_RECORDED,
        actor=actor,
        need_id=need.pk,
        title=title,
        category=category,
        priority=need.priority,
        **scores,
        case_ids=sorted(c.pk for c in cases),
    )
    return need


@transaction.atomic
def update_need(*, actor: Actor, need_id: int, **changes: Any) -> Need:
    """Reassess (importance, urgency, feasibility, days_to_fulfil) or move its status."""
    if (
        actor.is_staff
        and actor.user is not None
        and not (may_take_contacts(actor.user) or is_supervising(actor.user))
    ):
        raise PermissionDenied("your role may not change customer needs")
    need = Need.objects.select_for_update().filter(pk=need_id).first()
    if need is None:
        raise NotFound("need not found")
    unknown = set(changes) - {*NEED_FIELDS, "days_to_fulfil", "status"}
    if unknown:
        raise ValidationFailed("not editable", fields={f: "not editable" for f in unknown})
    status = changes.pop("status", None)
    if status is not None and status not in NeedStatus.values:
        raise ValidationFailed("invalid status", fields={"status": f"one of {NeedStatus.values}"})
    current = {n: getattr(need, n) for n in (*NEED_FIELDS, "days_to_fulfil")}
    scores = _need_scores({**current, **changes})
    before = {n: getattr(need, n) for n in NEED_TRACKED}
    for name, value in scores.items():
        setattr(need, name, value)
    need.priority = need_priority(**scores)
    if status is not None:
        need.status = status
    change = changed_fields(need, before, list(NEED_TRACKED))
    if not change["before"]:
        return need
    need.updated_at = clock.now()
    need.save()
    record_customer_event(
        need.customer_id,
        CustomerEventType.NEED_UPDATED,
        actor=actor,
        need_id=need.pk,
        title=need.title,
        **change,
    )
    return need


def ensure_default_tiers() -> int:
    """The shipped value tiers and settings, when a database has none (tests that flush the
    migrations' data, fresh installs), each on the configuration's record; returns how many
    tiers were created."""
    actor = Actor.system("setup")
    created = 0
    with transaction.atomic():
        if not ValueTier.objects.exists():
            for code, name, name_en, rank, floor, priority, entitlements in DEFAULT_TIERS:
                fields = {
                    "code": code,
                    "name": name,
                    "name_en": name_en,
                    "rank": rank,
                    "min_score": floor,
                    "queue_priority": priority,
                    "entitlements": entitlements,
                }
                tier = ValueTier.objects.create(**fields)
                record_configuration_event(tier, "created", actor=actor, after=fields)
                created += 1
        if not CrmSettings.objects.filter(pk=1).exists():
            settings = CrmSettings.objects.create(pk=1, **DEFAULT_CUTS)
            record_configuration_event(settings, "created", actor=actor, after=DEFAULT_CUTS)
    return created
