"""Writes for SLA policies and calendar assignments.

Every change bumps the versions the clocks were computed on, so the worker recomputes the
running clocks of the affected cases (kefu.cases.tasks.recompute_stale_clocks_task).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from kefu.accounts.actors import Actor
from kefu.accounts.models import Site, Team
from kefu.core.errors import ValidationFailed
from kefu.sla import policy_keys
from kefu.sla.actions import ensure_may_manage_calendars
from kefu.sla.models import BusinessCalendar
from kefu.sla.policies import CalendarAssignment, Metric, SlaPolicy, SlaTarget


@dataclass(frozen=True)
class TargetInput:
    metric: str
    minutes: int
    business_time: bool = True
    warn_share: float = 0.8


def _check_targets(targets: Sequence[TargetInput]) -> None:
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for i, t in enumerate(targets):
        if t.metric not in Metric.values:
            errors[f"targets.{i}.metric"] = f"one of {', '.join(Metric.values)}"
        elif t.metric in seen:
            errors[f"targets.{i}.metric"] = "each metric once"
        seen.add(t.metric)
        if t.minutes <= 0:
            errors[f"targets.{i}.minutes"] = "more than 0"
        if not 0 < t.warn_share < 1:
            errors[f"targets.{i}.warn_share"] = "between 0 and 1"
    if errors:
        raise ValidationFailed("invalid SLA targets", fields=errors)


def _rules_changed() -> None:
    # Which policy matches a case may change with any policy edit: every clock recomputes.
    SlaPolicy.objects.update(version=F("version") + 1)


@transaction.atomic
def save_policy(
    *,
    actor: Actor,
    name: str,
    targets: Sequence[TargetInput],
    kind_code: str = "",
    tier: str = "",
    priority: int | None = None,
    active: bool = True,
    policy: SlaPolicy | None = None,
) -> SlaPolicy:
    """Create or replace a policy with its targets."""
    ensure_may_manage_calendars(actor)
    if not name.strip():
        raise ValidationFailed("name is required", fields={"name": "required"})
    _check_targets(targets)
    policy_keys.check(kind_code, tier, priority)
    if policy is None:
        policy = SlaPolicy(name=name.strip())
    policy.name, policy.kind_code, policy.tier = name.strip(), kind_code, tier
    policy.priority, policy.active = priority, active
    policy.save()
    SlaTarget.objects.filter(policy=policy).delete()
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            metric=t.metric,
            minutes=t.minutes,
            business_time=t.business_time,
            warn_share=t.warn_share,
        )
        for t in targets
    )
    _rules_changed()
    policy.refresh_from_db()
    return policy


@transaction.atomic
def assign_calendar(
    *,
    actor: Actor,
    calendar: BusinessCalendar,
    team: Team | None = None,
    site: Site | None = None,
) -> CalendarAssignment:
    """Count a team's (or a site's) clocks on `calendar`."""
    ensure_may_manage_calendars(actor)
    if (team is None) == (site is None):
        raise ValidationFailed("name a team or a site", fields={"team": "team or site"})
    assignment, _ = CalendarAssignment.objects.update_or_create(
        team=team, site=site, defaults={"calendar": calendar}
    )
    _rules_changed()
    return assignment
