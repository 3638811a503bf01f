"""Time standards on a case: starting, stopping, pausing and rescheduling its clocks.

Private helpers of kefu.cases.actions (they run inside an action's transaction, and the
action records the event). Targets and calendars come from kefu.sla.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Q

from kefu.cases.models import Case, CaseClock
from kefu.core.bulk import id_list, update_rows
from kefu.sla.models import BusinessCalendar
from kefu.sla.policies import Metric, SlaPolicy
from kefu.sla.targets import (
    ClockTarget,
    RuleBook,
    SpecCache,
    elapsed,
    moment_after,
    targets_for,
)

HANDLING_METRICS = (Metric.ASSIGN, Metric.FIRST_RESPONSE, Metric.RESOLUTION)
# Breaching these escalates the case (a late return visit only notifies).
ESCALATING_METRICS = (*HANDLING_METRICS, Metric.NEXT_UPDATE)


def _targets(case: Case, *, fresh: bool = False) -> dict[str, ClockTarget]:
    return targets_for(
        kind_code=case.kind.code,
        tier=case.customer.tier,
        priority=case.priority,
        team_id=case.team_id,
        site_id=case.site_id,
        fresh=fresh,
    )


def _schedule(clock: CaseClock | ClockRow, cache: SpecCache) -> None:
    spec = cache.get(clock.calendar_id)
    paused = dt.timedelta(seconds=clock.paused_seconds)
    target = dt.timedelta(seconds=clock.target_seconds)
    to_warning = target * clock.warn_share + paused
    clock.warn_at = moment_after(spec, clock.started_at, to_warning, clock.business_time)
    rest = target + paused - to_warning  # ≥ 0: the warning share is below 1
    # Counted on from the warning: the same moment as from the start, without walking the
    # calendar twice (a zero target has nothing left to count on).
    clock.due_at = (
        moment_after(spec, clock.warn_at, rest, clock.business_time) if rest else clock.warn_at
    )


def start_clocks(
    case: Case,
    metrics: tuple[str, ...],
    *,
    now: dt.datetime,
    cache: SpecCache | None = None,
    new: bool = False,
) -> list[CaseClock]:
    """Start the policy's clocks for `metrics` (those the policy defines and not running;
    `new`: a case just opened, so none is)."""
    cache = cache or SpecCache()
    targets = _targets(case)
    running = (
        set()
        if new
        else set(case.clocks.filter(stopped_at__isnull=True).values_list("metric", flat=True))
    )
    clocks = []
    for metric in metrics:
        target = targets.get(metric)
        if target is None or metric in running:
            continue
        clock = CaseClock(
            case=case,
            metric=metric,
            policy_id=target.policy_id,
            policy_version=target.policy_version,
            calendar_id=target.calendar_id,
            calendar_version=target.calendar_version,
            business_time=target.business_time,
            target_seconds=target.seconds,
            warn_share=target.warn_share,
            started_at=now,
        )
        _schedule(clock, cache)
        clocks.append(clock)
    return CaseClock.objects.bulk_create(clocks)


def running_clock(case: Case, metric: str) -> CaseClock | None:
    return (
        CaseClock.objects.select_for_update()
        .filter(case=case, metric=metric, stopped_at__isnull=True)
        .first()
    )


def stop_clock(case: Case, metric: str, *, now: dt.datetime) -> CaseClock | None:
    clock = running_clock(case, metric)
    if clock is not None:
        clock.stopped_at = now
        clock.save(update_fields=["stopped_at"])
    return clock


def restart_clock(case: Case, metric: str, *, now: dt.datetime) -> None:
    """Stop the running clock of `metric` and start a new one from `now` (next update: each
    contact with the customer owes the next one within the target)."""
    paused = running_clock(case, metric)
    stop_clock(case, metric, now=now)
    start_clocks(case, (metric,), now=now)
    if paused is not None and paused.paused_at is not None:
        pause_clock(case, metric, now=now)


def pause_clock(case: Case, metric: str, *, now: dt.datetime) -> None:
    clock = running_clock(case, metric)
    if clock is not None and clock.paused_at is None:
        clock.paused_at = now
        clock.save(update_fields=["paused_at"])


def resume_clock(case: Case, metric: str, *, now: dt.datetime) -> None:
    """Add the paused time (counted like the target) and move the due time by it."""
    clock = running_clock(case, metric)
    if clock is None or clock.paused_at is None:
        return
    cache = SpecCache()
    paused = elapsed(cache.get(clock.calendar_id), clock.paused_at, now, clock.business_time)
    clock.paused_seconds += max(0, int(paused.total_seconds()))
    clock.paused_at = None
    _schedule(clock, cache)
    clock.save(update_fields=["paused_seconds", "paused_at", "due_at", "warn_at"])


RESCHEDULED_FIELDS = [
    "policy",
    "policy_version",
    "calendar",
    "calendar_version",
    "target_seconds",
    "business_time",
    "warn_share",
    "due_at",
    "warn_at",
]


@dataclass
class RuleVersions:
    """The current version of every policy and calendar, read once per unit of work."""

    policies: dict[int, int]
    calendars: dict[int, int]

    @classmethod
    def read(cls) -> RuleVersions:
        return cls(
            policies=dict(SlaPolicy.objects.values_list("pk", "version")),
            calendars=dict(BusinessCalendar.objects.values_list("pk", "version")),
        )

    @classmethod
    def of(cls, rules: RuleBook | None) -> RuleVersions:
        """The versions `rules` were read at; the current ones without."""
        if rules is None:
            return cls.read()
        return cls(policies=rules.policy_versions, calendars=rules.calendar_versions)

    def stale_clocks(self) -> list[Q]:
        """One condition per calendar and per policy: a clock computed on an older version."""
        return [
            *(Q(calendar_id=pk, calendar_version__lt=v) for pk, v in self.calendars.items()),
            *(Q(policy_id=pk, policy_version__lt=v) for pk, v in self.policies.items()),
        ]


def reschedule(
    clock: CaseClock | ClockRow,
    target: ClockTarget | None,
    cache: SpecCache,
    versions: RuleVersions,
) -> dict[str, str] | None:
    """Apply the current target to a running clock (in memory; the caller saves).

    Returns {"before", "after"} when the due time moved. A clock whose target the rules no
    longer set keeps its due time, on the current versions so it is not found stale again.
    A new due time may be earlier than now: the sweep finds it at once; a warning or breach
    already recorded stays on the record.
    """
    if target is None:
        clock.policy_version = versions.policies.get(clock.policy_id or 0, clock.policy_version)
        clock.calendar_version = versions.calendars.get(clock.calendar_id, clock.calendar_version)
        return None
    before = clock.due_at
    clock.policy_id, clock.calendar_id = target.policy_id, target.calendar_id
    clock.policy_version, clock.calendar_version = target.policy_version, target.calendar_version
    clock.target_seconds, clock.business_time = target.seconds, target.business_time
    clock.warn_share = target.warn_share
    _schedule(clock, cache)
    if clock.due_at == before:
        return None
    return {"before": before.isoformat(), "after": clock.due_at.isoformat()}


def recompute_clocks(case: Case, *, cache: SpecCache | None = None) -> dict[str, Any]:
    """Re-apply the current policy and calendar to one case's running clocks (always fresh
    rules: a recomputed clock must not be found stale again).

    Returns {metric: {"before": due, "after": due}} for the clocks whose due time moved.
    """
    cache = cache or SpecCache(fresh=True)
    targets = _targets(case, fresh=True)
    versions = RuleVersions.read()
    moved: dict[str, Any] = {}
    for clock in case.clocks.select_for_update().filter(stopped_at__isnull=True):
        change = reschedule(clock, targets.get(clock.metric), cache, versions)
        clock.save(update_fields=RESCHEDULED_FIELDS)
        if change:
            moved[clock.metric] = change
    return moved


@dataclass(slots=True)
class ClockRow:
    """The scheduling fields of a running clock, without a model instance (a batch of
    thousands is read as plain tuples: no model construction, no signals)."""

    pk: int
    case_id: int
    metric: str
    policy_id: int | None
    policy_version: int
    calendar_id: int
    calendar_version: int
    business_time: bool
    target_seconds: int
    warn_share: float
    started_at: dt.datetime
    paused_seconds: int
    due_at: dt.datetime
    warn_at: dt.datetime


_ROW_FIELDS = [f.name for f in fields(ClockRow)]
_CASE_KEY = [
    "case__kind__code",
    "case__customer__tier",
    "case__priority",
    "case__team_id",
    "case__site_id",
]


def recompute_batch(
    case_ids: list[int], rules: RuleBook | None = None
) -> dict[int, dict[str, Any]]:
    """Recompute the running clocks of many cases at once: one locked read of the clocks
    (plain rows), the rules and calendars read once (`rules`, shared by the batches of one
    run, or fresh), one UPDATE … FROM per batch. Returns {case_id: moved} for the cases whose
    due times moved."""
    rules = rules or RuleBook()
    cache = rules.specs
    versions = RuleVersions.of(rules)
    rows = (
        CaseClock.objects.select_for_update(of=("self",))
        .filter(case_id__in=id_list(case_ids), stopped_at__isnull=True)
        .order_by("pk")
        .values_list(*_ROW_FIELDS, *_CASE_KEY)
    )
    width = len(_ROW_FIELDS)
    clocks: list[ClockRow] = []
    moved: dict[int, dict[str, Any]] = {}
    for row in rows:
        clock = ClockRow(*row[:width])
        kind_code, tier, priority, team_id, site_id = row[width:]
        targets = rules.targets(
            kind_code=kind_code, tier=tier, priority=priority, team_id=team_id, site_id=site_id
        )
        change = reschedule(clock, targets.get(clock.metric), cache, versions)
        if change:
            moved.setdefault(clock.case_id, {})[clock.metric] = change
        clocks.append(clock)
    update_rows(CaseClock, clocks, RESCHEDULED_FIELDS)
    return moved
