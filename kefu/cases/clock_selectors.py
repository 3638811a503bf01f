"""Reads about time standards: the timers shown with cases, and the attainment report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from kefu.accounts.models import User
from kefu.cases.models import Case, CaseClock
from kefu.cases.permissions import scope_cases
from kefu.core import clock
from kefu.sla.targets import SpecCache, elapsed


@dataclass(frozen=True)
class Timer:
    """One clock as a person sees it: what, due when, how much time is left, which colour."""

    metric: str
    due_at: dt.datetime
    state: str  # ok | warning | breached | paused
    remaining: dt.timedelta  # business (or calendar) time left; negative when overdue
    business_time: bool


def _state(c: CaseClock, now: dt.datetime) -> str:
    if c.paused_at is not None:
        return "paused"
    if c.breached_at is not None or c.due_at <= now:
        return "breached"
    if c.warned_at is not None or c.warn_at <= now:
        return "warning"
    return "ok"


def timers_for(cases: Iterable[Case], *, now: dt.datetime | None = None) -> dict[int, list[Timer]]:
    """Running timers per case id, most urgent first (one query for a whole page)."""
    now = now or clock.now()
    ids = [c.pk for c in cases]
    cache = SpecCache()
    timers: dict[int, list[Timer]] = defaultdict(list)
    running = CaseClock.objects.filter(case_id__in=ids, stopped_at__isnull=True).order_by("due_at")
    for c in running:
        spec = cache.get(c.calendar_id)
        moment = c.paused_at or now
        remaining = (
            elapsed(spec, moment, c.due_at, c.business_time)
            if c.due_at >= moment
            else -elapsed(spec, c.due_at, moment, c.business_time)
        )
        timers[c.case_id].append(
            Timer(
                metric=c.metric,
                due_at=c.due_at,
                state=_state(c, now),
                remaining=remaining,
                business_time=c.business_time,
            )
        )
    return dict(timers)


def next_due_subquery() -> Subquery:
    """The earliest due time of a case's running, unpaused clocks (for sorting by it)."""
    return Subquery(
        CaseClock.objects.filter(
            case=OuterRef("pk"), stopped_at__isnull=True, paused_at__isnull=True
        )
        .order_by("due_at")
        .values("due_at")[:1]
    )


def overdue_filter(now: dt.datetime | None = None) -> Exists:
    """Cases with a running, unpaused clock past its due time (the "overdue" queue)."""
    return Exists(
        CaseClock.objects.filter(
            case=OuterRef("pk"),
            stopped_at__isnull=True,
            paused_at__isnull=True,
            due_at__lte=now or clock.now(),
        )
    )


@dataclass(frozen=True)
class AttainmentRow:
    key: str
    label: str
    total: int
    met: int
    breached: int

    @property
    def attainment(self) -> float | None:
        """Share of finished clocks that met their target, 0–100."""
        return round(100.0 * self.met / self.total, 1) if self.total else None


GROUPS = {
    "team": ("case__team_id", "case__team__name"),
    "handler": ("case__handler_id", "case__handler__display_name"),
    "kind": ("case__kind__code", "case__kind__name_zh"),
    "metric": ("metric", "metric"),
    "site": ("case__site_id", "case__site__name"),
}
GROUPINGS = (*GROUPS, "period")
WEEKLY_UP_TO_DAYS = 120  # a longer period is shown month by month


def attainment_clocks(user: User, start: dt.date, end: dt.date) -> QuerySet[CaseClock]:
    """Clocks decided in the period (stopped, or breached) on cases the user may see."""
    visible = scope_cases(Case.objects.all(), user).values("pk")
    return (
        CaseClock.objects.filter(case_id__in=visible, started_at__date__gte=start)
        .filter(started_at__date__lte=end)
        .filter(Q(stopped_at__isnull=False) | Q(breached_at__isnull=False))
    )


def sla_attainment(
    user: User, *, start: dt.date, end: dt.date, group_by: str = "team"
) -> list[AttainmentRow]:
    """SLA attainment per team, handler, kind, metric or site over a period, or per week
    (per month beyond WEEKLY_UP_TO_DAYS days) of the clocks' start, in the site's time zone.

    A clock meets its target when it stopped before its due time and never breached.
    """
    met_q = Q(breached_at__isnull=True, stopped_at__isnull=False, stopped_at__lte=F("due_at"))
    if group_by == "period":
        return _attainment_per_period(user, start, end, met_q)
    key_field, label_field = GROUPS.get(group_by, GROUPS["team"])
    rows = (
        attainment_clocks(user, start, end)
        .annotate(group_key=Coalesce(F(key_field), Value(None)))
        .values("group_key", label_field)
        .annotate(
            total=Count("id"),
            met=Count("id", filter=met_q),
        )
        .order_by(label_field)
    )
    result = []
    for r in rows:
        key = r["group_key"]
        label = r[label_field] or "—"
        result.append(
            AttainmentRow(
                key="" if key is None else str(key),
                label=str(label),
                total=r["total"],
                met=r["met"],
                breached=r["total"] - r["met"],
            )
        )
    return result


def _attainment_per_period(
    user: User, start: dt.date, end: dt.date, met_q: Q
) -> list[AttainmentRow]:
    weekly = (end - start).days <= WEEKLY_UP_TO_DAYS
    trunc = TruncWeek("started_at") if weekly else TruncMonth("started_at")
    rows = (
        attainment_clocks(user, start, end)
        .annotate(period=trunc)
        .values("period")
        .annotate(total=Count("id"), met=Count("id", filter=met_q))
        .order_by("period")
    )
    result = []
    for r in rows:
        first_day = timezone.localtime(r["period"]).date() if r["period"] else start
        result.append(
            AttainmentRow(
                key=first_day.isoformat(),
                label=first_day.isoformat() if weekly else f"{first_day:%Y-%m}",
                total=r["total"],
                met=r["met"],
                breached=r["total"] - r["met"],
            )
        )
    return result
