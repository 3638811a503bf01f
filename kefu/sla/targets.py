"""What a case's clocks count against: the matching policy's targets and the calendar."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from kefu.sla import business_time as bt
from kefu.sla.models import BusinessCalendar
from kefu.sla.policies import CalendarAssignment, SlaPolicy
from kefu.sla.selectors import default_calendar, spec_for


@dataclass(frozen=True)
class ClockTarget:
    metric: str
    seconds: int
    business_time: bool
    warn_share: float
    calendar_id: int
    calendar_version: int
    policy_id: int
    policy_version: int

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.seconds)


def policy_for(kind_code: str, tier: str, priority: int | None) -> SlaPolicy | None:
    """The most specific active policy matching the case (blank criteria match anything)."""
    candidates = (
        SlaPolicy.objects.filter(active=True)
        .filter(Q(kind_code="") | Q(kind_code=kind_code))
        .filter(Q(tier="") | Q(tier=tier))
        .filter(Q(priority__isnull=True) | Q(priority=priority))
        .prefetch_related("targets")
    )
    ranked = sorted(candidates, key=lambda p: (-p.specificity, p.pk))
    return ranked[0] if ranked else None


def calendar_id_for(team_id: int | None, site_id: int | None) -> int:
    """The team's calendar, else its site's, else the mainland default."""
    assignments = CalendarAssignment.objects.filter(
        Q(team_id=team_id, team__isnull=False) | Q(site_id=site_id, site__isnull=False)
    ).values_list("team_id", "calendar_id")
    by_team = {team: calendar for team, calendar in assignments}
    for team, calendar in by_team.items():
        if team is not None:
            return calendar
    if by_team:
        return next(iter(by_team.values()))
    return default_calendar().pk


# Rules change rarely and every clock records the versions it was computed on, so the hot
# path (opening cases) may reuse a lookup for a few seconds: a clock computed on rules that
# changed meanwhile carries the old version and is recomputed by the worker. Recomputation
# itself always reads fresh rules.
CACHE_SECONDS = 30.0
_cache: dict[tuple[object, ...], tuple[float, object]] = {}


def clear_caches() -> None:
    _cache.clear()


def _cached[T](key: tuple[object, ...], compute: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = compute()
    _cache[key] = (now + CACHE_SECONDS, value)
    return value


def targets_for(
    *,
    kind_code: str,
    tier: str,
    priority: int | None,
    team_id: int | None,
    site_id: int | None,
    fresh: bool = False,
) -> dict[str, ClockTarget]:
    def compute() -> dict[str, ClockTarget]:
        return _targets_for(kind_code, tier, priority, team_id, site_id)

    if fresh:
        return compute()
    return _cached(("targets", kind_code, tier, priority, team_id, site_id), compute)


def _targets_for(
    kind_code: str, tier: str, priority: int | None, team_id: int | None, site_id: int | None
) -> dict[str, ClockTarget]:
    policy = policy_for(kind_code, tier, priority)
    if policy is None:
        return {}
    calendar_id = calendar_id_for(team_id, site_id)
    calendar_version = (
        BusinessCalendar.objects.filter(pk=calendar_id).values_list("version", flat=True).get()
    )
    return {
        t.metric: ClockTarget(
            metric=t.metric,
            seconds=t.minutes * 60,
            business_time=t.business_time,
            warn_share=t.warn_share,
            calendar_id=calendar_id,
            calendar_version=calendar_version,
            policy_id=policy.pk,
            policy_version=policy.version,
        )
        for t in policy.targets.all()
    }


class CalendarAssignments:
    """Every calendar assignment, read once (one query): calendar_id_for() in plain Python
    for a unit of work that needs the calendars of many teams and sites."""

    def __init__(self) -> None:
        self.rows = list(
            CalendarAssignment.objects.values_list("team_id", "site_id", "calendar_id")
        )
        self._default: int | None = None

    def calendar_id_for(self, team_id: int | None, site_id: int | None) -> int:
        """The team's calendar, else its site's, else the mainland default."""
        site_calendar = None
        for team, site, calendar in self.rows:
            if team is not None and team == team_id:
                return calendar
            if site is not None and site == site_id:
                site_calendar = calendar
        if site_calendar is not None:
            return site_calendar
        if self._default is None:
            self._default = default_calendar().pk
        return self._default


class RuleBook:
    """The rules of one unit of work, read once and fresh: every active policy with its
    targets, every calendar assignment, the versions of every policy and calendar (five
    queries), and the calendars as they are needed. The targets of many cases in plain
    Python, the same answers as targets_for(fresh=True), for recomputing clocks in batches.
    A run that keeps one RuleBook works on the rules as they were when it started: clocks
    carry those versions, and a change made meanwhile is found stale by the next run."""

    def __init__(self) -> None:
        self.policies = sorted(
            SlaPolicy.objects.filter(active=True).prefetch_related("targets"),
            key=lambda p: (-p.specificity, p.pk),
        )
        self.calendars = CalendarAssignments()
        self.calendar_versions = dict(BusinessCalendar.objects.values_list("pk", "version"))
        self.policy_versions = dict(SlaPolicy.objects.values_list("pk", "version"))
        self.specs = SpecCache(fresh=True)
        self._targets: dict[tuple[object, ...], dict[str, ClockTarget]] = {}

    def policy_for(self, kind_code: str, tier: str, priority: int | None) -> SlaPolicy | None:
        for p in self.policies:  # most specific first, as policy_for() ranks them
            if (
                p.kind_code in ("", kind_code)
                and p.tier in ("", tier)
                and (p.priority is None or p.priority == priority)
            ):
                return p
        return None

    def targets(
        self,
        *,
        kind_code: str,
        tier: str,
        priority: int | None,
        team_id: int | None,
        site_id: int | None,
    ) -> dict[str, ClockTarget]:
        key = (kind_code, tier, priority, team_id, site_id)
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = self._compute(*key)
        return found

    def _compute(
        self,
        kind_code: str,
        tier: str,
        priority: int | None,
        team_id: int | None,
        site_id: int | None,
    ) -> dict[str, ClockTarget]:
        policy = self.policy_for(kind_code, tier, priority)
        if policy is None:
            return {}
        calendar_id = self.calendars.calendar_id_for(team_id, site_id)
        return {
            t.metric: ClockTarget(
                metric=t.metric,
                seconds=t.minutes * 60,
                business_time=t.business_time,
                warn_share=t.warn_share,
                calendar_id=calendar_id,
                calendar_version=self.calendar_versions[calendar_id],
                policy_id=policy.pk,
                policy_version=policy.version,
            )
            for t in policy.targets.all()
        }


class SpecCache:
    """Calendar specs by id for one unit of work (an action, a sweep batch); `fresh` reads
    the database, otherwise a spec read in the last few seconds is reused."""

    def __init__(self, *, fresh: bool = False) -> None:
        self._specs: dict[int, bt.CalendarSpec] = {}
        self.fresh = fresh

    def get(self, calendar_id: int) -> bt.CalendarSpec:
        if calendar_id not in self._specs:
            self._specs[calendar_id] = (
                spec_for(calendar_id)
                if self.fresh
                else _cached(("spec", calendar_id), lambda: spec_for(calendar_id))
            )
        return self._specs[calendar_id]


def moment_after(
    spec: bt.CalendarSpec, start: dt.datetime, duration: dt.timedelta, business_time: bool
) -> dt.datetime:
    """`start` plus `duration`, counted in business time or in calendar time."""
    if business_time:
        return bt.add_business_time(spec, start, duration)
    return start + duration


def elapsed(
    spec: bt.CalendarSpec, start: dt.datetime, end: dt.datetime, business_time: bool
) -> dt.timedelta:
    if business_time:
        return bt.business_time_between(spec, start, end)
    return end - start
