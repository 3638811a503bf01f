"""Time standards on a case: starting, stopping, pausing and rescheduling its clocks.

Private helpers of kefu.cases.actions (they run inside an action's transaction, and the
action records the event). Targets and calendars come from kefu.sla.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kefu.cases.models import Case, CaseClock
from kefu.sla.models import BusinessCalendar
from kefu.sla.policies import Metric, SlaPolicy
from kefu.sla.targets import ClockTarget, SpecCache, elapsed, moment_after, targets_for

HANDLING_METRICS = (Metric.ASSIGN, Metric.FIRST_RESPONSE, Metric.RESOLUTION)


def _targets(case: Case, *, fresh: bool = False) -> dict[str, ClockTarget]:
    return targets_for(
        kind_code=case.kind.code,
        tier=case.customer.tier,
        priority=case.priority,
        team_id=case.team_id,
        site_id=case.site_id,
        fresh=fresh,
    )


def _schedule(clock: CaseClock, cache: SpecCache) -> None:
    spec = cache.get(clock.calendar_id)
    paused = dt.timedelta(seconds=clock.paused_seconds)
    target = dt.timedelta(seconds=clock.target_seconds)
    clock.due_at = moment_after(spec, clock.started_at, target + paused, clock.business_time)
    clock.warn_at = moment_after(
        spec, clock.started_at, target * clock.warn_share + paused, clock.business_time
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


def recompute_clocks(case: Case, *, cache: SpecCache | None = None) -> dict[str, Any]:
    """Re-apply the current policy and calendar to the running clocks.

    Returns {metric: {"before": due, "after": due}} for the clocks whose due time moved.
    """
    # Always the current rules: a recomputed clock must not be found stale again.
    cache = cache or SpecCache(fresh=True)
    targets = _targets(case, fresh=True)
    moved: dict[str, Any] = {}
    for clock in case.clocks.select_for_update().filter(stopped_at__isnull=True):
        target = targets.get(clock.metric)
        if target is None:
            # The rules no longer set this target: the clock keeps its due time, on the
            # current versions so that it is not found stale again.
            clock.policy_version = (
                SlaPolicy.objects.filter(pk=clock.policy_id or 0)
                .values_list("version", flat=True)
                .first()
                or clock.policy_version
            )
            clock.calendar_version = BusinessCalendar.objects.values_list("version", flat=True).get(
                pk=clock.calendar_id
            )
            clock.save(update_fields=["policy_version", "calendar_version"])
            continue
        before = clock.due_at
        clock.policy_id, clock.calendar_id = target.policy_id, target.calendar_id
        clock.policy_version, clock.calendar_version = (
            target.policy_version,
            target.calendar_version,
        )
        clock.target_seconds, clock.business_time = target.seconds, target.business_time
        clock.warn_share = target.warn_share
        _schedule(clock, cache)
        # A new due time may be earlier than now: the sweep finds it at once. A warning or
        # breach already recorded stays on the record.
        clock.save(
            update_fields=[
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
        )
        if clock.due_at != before:
            moved[clock.metric] = {"before": before.isoformat(), "after": clock.due_at.isoformat()}
    return moved
