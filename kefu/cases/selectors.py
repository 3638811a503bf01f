"""Reads for cases, always scoped to what the reader may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import get_language

from kefu.accounts.models import User
from kefu.cases import search
from kefu.cases.choices import OPEN_STATUSES
from kefu.cases.clock_selectors import next_due_subquery, overdue_filter
from kefu.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    CaseMessage,
    CauseCategory,
    ReturnVisit,
)
from kefu.cases.permissions import can_see_case, may_perform, scope_cases
from kefu.cases.transitions import actions_from
from kefu.core.errors import NotFound

SORTS = {
    # Complaints sort above routine cases in every queue (投诉优先于正常工作), then age.
    "queue": ("-is_complaint", "created_at"),
    # The history ("all cases"): complaints still first, then the newest.
    "recent": ("-is_complaint", "-created_at"),
    "newest": ("-created_at",),
    "oldest": ("created_at",),
    "priority": ("-priority", "-is_complaint", "created_at"),
    "updated": ("-updated_at",),
    # The tightest time standard first (the most overdue at the top); no running clock last.
    "due": ("next_due_at", "-is_complaint", "created_at"),
}


def kind_names() -> dict[str, str]:
    """Every case kind's code with its name in the active language, in the kinds' order
    (投诉 / Complaint; the Chinese name where no English one is set)."""
    english = (get_language() or "").startswith("en")
    return {
        code: en if english and en else zh
        for code, zh, en in CaseKind.objects.values_list("code", "name_zh", "name_en")
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
    complaints_only: bool = False
    overdue: bool = False
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
    if f.complaints_only:
        # The case's own flag, not a join to the kinds: cheap beside the visibility filter.
        qs = qs.filter(is_complaint=True)
    if f.overdue:
        qs = qs.filter(overdue_filter())
    if f.escalated is not None:
        qs = qs.filter(escalation_level__gt=0) if f.escalated else qs.filter(escalation_level=0)
    qs = qs.select_related("kind", "customer", "team", "site", "handler")
    if f.q.strip():
        return search.filter_by_text(qs, f.q)
    order = SORTS.get(f.sort, SORTS["queue"])
    if "next_due_at" in order:
        qs = qs.annotate(next_due_at=next_due_subquery())
        return qs.order_by(F("next_due_at").asc(nulls_last=True), *order[1:], "id")
    return qs.order_by(*order, "id")


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


def active_case_kinds() -> list[CaseKind]:
    return list(CaseKind.objects.filter(active=True).order_by("sort_order", "code"))


def active_cause_categories() -> list[CauseCategory]:
    return list(CauseCategory.objects.filter(active=True).order_by("sort_order", "code"))


def case_return_visits(case: Case) -> list[ReturnVisit]:
    return list(case.return_visits.select_related("recorded_by").order_by("due_at", "id"))


def get_attachment_for(user: User, case: Case, attachment_id: int) -> Attachment:
    """An attachment of a case the user may see (the caller loaded it with get_case_for)."""
    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None or not can_see_case(user, case):
        raise NotFound("attachment not found")
    return attachment


def return_visits_due_for(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Closed complaints whose return visit (回访) still waits for an outcome, soonest due first."""
    pending = ReturnVisit.objects.filter(outcome="")
    qs = list_cases_for(user, filters).filter(pk__in=pending.values("case_id"))
    due = pending.filter(case_id=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    qs = qs.annotate(return_visit_due_at=Subquery(due))
    if filters is not None and filters.q.strip():
        return qs
    return qs.order_by("return_visit_due_at", "id")


@dataclass(frozen=True)
class HandlerLoad:
    handler_id: int | None
    open_cases: int
    complaints: int
    escalated: int


def workload_by_handler(user: User, team_id: int) -> dict[int | None, HandlerLoad]:
    """Open cases per handler of a team (None: nobody handles them yet), as the user sees them."""
    rows = (
        list_cases_for(user, CaseFilters(team_id=team_id, open_only=True))
        .order_by()
        .values("handler_id")
        .annotate(
            n=Count("id"),
            complaints=Count("id", filter=Q(is_complaint=True)),
            escalated=Count("id", filter=Q(escalation_level__gt=0)),
        )
    )
    return {
        r["handler_id"]: HandlerLoad(r["handler_id"], r["n"], r["complaints"], r["escalated"])
        for r in rows
    }
