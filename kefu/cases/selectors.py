"""Reads for cases, always scoped to what the reader may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from kefu.accounts.models import User
from kefu.cases import search
from kefu.cases.choices import OPEN_STATUSES
from kefu.cases.models import Case, CaseEvent, CaseMessage
from kefu.cases.permissions import can_see_case, may_perform, scope_cases
from kefu.cases.transitions import actions_from
from kefu.core.errors import NotFound

SORTS = {
    # Complaints sort above routine cases in every queue (投诉优先于正常工作), then age.
    "queue": ("-is_complaint", "created_at"),
    "newest": ("-created_at",),
    "oldest": ("created_at",),
    "priority": ("-priority", "-is_complaint", "created_at"),
    "updated": ("-updated_at",),
}


@dataclass
class CaseFilters:
    status: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    priority: list[int] = field(default_factory=list)
    team_id: int | None = None
    handler_id: int | None = None
    customer_id: int | None = None
    site_id: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    open_only: bool = False
    escalated: bool | None = None
    q: str = ""
    sort: str = "queue"


def list_cases_for(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases `user` may see, filtered, searched and sorted; related rows pre-joined."""
    f = filters or CaseFilters()
    qs = scope_cases(Case.objects.all(), user)
    if f.status:
        qs = qs.filter(status__in=f.status)
    elif f.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.kind:
        qs = qs.filter(kind__code__in=f.kind)
    if f.channel:
        qs = qs.filter(channel__in=f.channel)
    if f.priority:
        qs = qs.filter(priority__in=f.priority)
    if f.team_id is not None:
        qs = qs.filter(team_id=f.team_id)
    if f.handler_id is not None:
        qs = qs.filter(handler_id=f.handler_id)
    if f.customer_id is not None:
        qs = qs.filter(customer_id=f.customer_id)
    if f.site_id is not None:
        qs = qs.filter(site_id=f.site_id)
    if f.created_from is not None:
        qs = qs.filter(created_at__date__gte=f.created_from)
    if f.created_to is not None:
        qs = qs.filter(created_at__date__lte=f.created_to)
    if f.escalated is not None:
        qs = qs.filter(escalation_level__gt=0) if f.escalated else qs.filter(escalation_level=0)
    qs = qs.select_related("kind", "customer", "team", "site", "handler")
    if f.q.strip():
        return search.filter_by_text(qs, f.q)
    return qs.order_by(*SORTS.get(f.sort, SORTS["queue"]), "id")


def get_case_for(user: User, case_id: int) -> Case:
    """The case, or NotFound — also when it exists but the user may not see it."""
    case = (
        Case.objects.select_related(
            "kind",
            "customer",
            "team",
            "team__supervisor",
            "site",
            "site__first_responsible",
            "handler",
            "escalated_to",
            "cause",
            "responsible_person",
            "responsible_department",
            "accepted_by",
            "created_by",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None or not can_see_case(user, case):
        raise NotFound("case not found")
    return case


def get_case_by_number_for(user: User, number: str) -> Case:
    case_id = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    if case_id is None:
        raise NotFound("case not found")
    return get_case_for(user, case_id)


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    """Every event of the service record, oldest first, with its actor."""
    return case.events.select_related("actor_user").order_by("at", "id")


def case_messages(case: Case, *, public_only: bool = False) -> QuerySet[CaseMessage]:
    qs = case.messages.select_related("author_user", "author_customer").prefetch_related(
        "attachments"
    )
    if public_only:
        qs = qs.filter(kind__in=["inbound", "outbound"])
    return qs.order_by("created_at", "id")


def allowed_actions(user: User, case: Case) -> list[str]:
    """The workflow steps this user may take now: status rule (table) and role rule."""
    return [a for a in actions_from(case.kind.workflow, case.status) if may_perform(user, case, a)]


def other_cases_of_customer(user: User, case: Case, limit: int = 10) -> list[Case]:
    qs = scope_cases(Case.objects.filter(customer_id=case.customer_id), user)
    return list(qs.exclude(pk=case.pk).select_related("kind").order_by("-created_at")[:limit])
