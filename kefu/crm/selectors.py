"""Reads of the crm app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth

from kefu.accounts.models import User
from kefu.cases.models import Case
from kefu.cases.permissions import scope_cases
from kefu.crm.choices import TaskStatus
from kefu.crm.models import (
    ChurnAssessment,
    CrmSettings,
    CustomerValue,
    FollowUpTask,
    Need,
    TierChange,
    ValueTier,
)
from kefu.crm.reference_data import DEFAULT_CUTS
from kefu.customers.models import ConsumptionRecord
from kefu.customers.selectors import customers_matching, customers_visible_to


def crm_settings() -> CrmSettings:
    """The configured parameters (the row migrations ship), or the defaults unsaved."""
    found = CrmSettings.objects.filter(pk=1).first()
    return found if found is not None else CrmSettings(pk=1, **DEFAULT_CUTS)


def tier_names() -> dict[str, str]:
    """Every tier's Chinese name by its code (exports write them as the import reads them)."""
    return dict(ValueTier.objects.values_list("code", "name"))


def active_tiers() -> list[ValueTier]:
    """Active value tiers, best first."""
    return list(ValueTier.objects.filter(active=True).order_by("rank", "id"))


def value_of(customer_id: int) -> CustomerValue | None:
    return CustomerValue.objects.filter(customer_id=customer_id).first()


def tier_history(customer_id: int, limit: int = 20) -> list[TierChange]:
    return list(
        TierChange.objects.filter(customer_id=customer_id)
        .select_related("actor_user")
        .order_by("-at", "-id")[:limit]
    )


def monthly_spend(customer_id: int, *, months: int, today: dt.date) -> list[tuple[str, Decimal]]:
    """(YYYY-MM, total) for each of the last `months` months, oldest first, zeros included."""
    first = dt.date(today.year, today.month, 1)
    starts = []
    y, m = first.year, first.month
    for _ in range(months):
        starts.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    starts.reverse()
    totals = dict(
        ConsumptionRecord.objects.filter(customer_id=customer_id, occurred_on__gte=starts[0])
        .annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    by_key = {(k.year, k.month): v for k, v in totals.items()}
    return [(f"{s:%Y-%m}", by_key.get((s.year, s.month)) or Decimal(0)) for s in starts]


def recent_consumption(customer_id: int, limit: int = 10) -> list[ConsumptionRecord]:
    return list(
        ConsumptionRecord.objects.filter(customer_id=customer_id).order_by("-occurred_on", "-id")[
            :limit
        ]
    )


def needs_of(customer_id: int, limit: int | None = None) -> list[Need]:
    """The customer's needs, highest priority first (the first `limit` of them if given)."""
    needs = _needs(customer_id).prefetch_related("cases")
    return list(needs if limit is None else needs[:limit])


def _needs(customer_id: int) -> QuerySet[Need]:
    return Need.objects.filter(customer_id=customer_id).order_by("-priority", "-id")


@dataclass
class SourceCases:
    """A need's source cases as one viewer may know them: the numbers of those the viewer
    may see, and how many others there are (their numbers are not for this viewer)."""

    numbers: list[str] = field(default_factory=list)
    others: int = 0


def needs_seen_by(
    viewer: User, customer_id: int, limit: int | None = None
) -> list[tuple[Need, SourceCases]]:
    """Like needs_of, each need with its source cases as the viewer may know them (the case
    visibility rule of kefu.cases.permissions): one query for the needs, one for all their
    cases."""
    needs = list(_needs(customer_id) if limit is None else _needs(customer_id)[:limit])
    sources = {need.pk: SourceCases() for need in needs}
    visible = Exists(scope_cases(Case.objects.filter(pk=OuterRef("case_id")), viewer))
    links = (
        Need.cases.through.objects.filter(need_id__in=sources)
        .values_list("need_id", "case__number", visible)
        .order_by("need_id", "case_id")
    )
    for need_id, number, seen in links if sources else ():
        if seen:
            sources[need_id].numbers.append(number)
        else:
            sources[need_id].others += 1
    return [(need, sources[need.pk]) for need in needs]


def churn_of(customer_id: int) -> ChurnAssessment | None:
    return ChurnAssessment.objects.filter(customer_id=customer_id).first()


def graded_customers(
    actor: User, *, tier: str = "", order: str = "-score", text: str = ""
) -> QuerySet[CustomerValue]:
    """Graded customers the actor may see (matching `text`: a name, phone, email or
    customer number), best first (or as ordered)."""
    customers = customers_matching(actor, text) if text.strip() else customers_visible_to(actor)
    qs = CustomerValue.objects.filter(customer_id__in=customers.values("pk")).select_related(
        "customer"
    )
    if tier:
        qs = qs.filter(tier=tier)
    allowed = {
        "-score",
        "score",
        "-monetary",
        "-frequency",
        "last_purchase_on",
        "-last_purchase_on",
    }
    return qs.order_by(order if order in allowed else "-score", "customer_id")


def customers_at_risk(actor: User) -> QuerySet[ChurnAssessment]:
    """Customers above the churn threshold, highest risk first, with their open follow-up."""
    return (
        ChurnAssessment.objects.filter(
            at_risk=True, customer_id__in=customers_visible_to(actor).values("pk")
        )
        .select_related("customer", "customer__account_manager")
        .order_by("-score", "customer_id")
    )


def open_follow_ups(customer_ids: list[int]) -> dict[int, FollowUpTask]:
    return {
        t.customer_id: t
        for t in FollowUpTask.objects.filter(
            customer_id__in=customer_ids, status=TaskStatus.OPEN
        ).select_related("assignee")
    }


def follow_ups_for(user: User) -> QuerySet[FollowUpTask]:
    return (
        FollowUpTask.objects.filter(assignee=user, status=TaskStatus.OPEN)
        .select_related("customer")
        .order_by("due_at")
    )


def service_of(customer: Any) -> dict[str, Any]:
    """What the customer's tier gives on a case: the tier's name, entitlements, and the
    dedicated account manager (one query for the tier; the manager only when set)."""
    tier = ValueTier.objects.filter(code=customer.tier).first()
    return {
        "tier": tier.label if tier else customer.tier,
        "entitlements": tier.entitlements_label if tier else "",
        "manager": customer.account_manager if customer.account_manager_id else None,
    }
