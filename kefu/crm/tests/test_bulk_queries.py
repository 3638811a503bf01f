"""The nightly runs write in bulk: their statement count does not grow with the customers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.actors import Actor
from kefu.cases.models import CaseEvent
from kefu.core import clock
from kefu.crm.actions import assess_churn, recompute_grades
from kefu.crm.models import ChurnEpisode, CrmSettings, CustomerValue, TierChange
from kefu.customers.models import ConsumptionRecord, Customer, CustomerEvent
from tests.factories import Org, make_case, make_customer

NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
TODAY = NOW.date()


def _silent(org: Org, n: int, tag: str) -> list[int]:
    customers = [make_customer(org, f"{tag}{i}") for i in range(n)]
    CustomerValue.objects.bulk_create(
        CustomerValue(
            customer=c,
            last_purchase_on=TODAY - dt.timedelta(days=200),
            tier="standard",
            computed_at=NOW,
        )
        for c in customers
    )
    return [c.pk for c in customers]


def _churn_queries(ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assess_churn(actor=Actor.system("churn"), customer_ids=ids, now=NOW)
    return len(captured)


def test_churn_runs_open_raise_and_close_episodes_in_bulk(org: Org) -> None:
    CrmSettings.objects.filter(pk=1).update(churn_threshold=5)
    counts: dict[int, list[int]] = {}
    for n in (20, 40):
        ids = _silent(org, n, f"客户{n}-")
        opening = _churn_queries(ids)
        assert ChurnEpisode.objects.filter(customer_id__in=ids, ended_at=None).count() == n
        # A higher score the next night raises every open episode's peak.
        ChurnEpisode.objects.filter(customer_id__in=ids).update(peak_score=1)
        raising = _churn_queries(ids)
        assert set(
            ChurnEpisode.objects.filter(customer_id__in=ids).values_list("peak_score", flat=True)
        ) == {10.0}
        CrmSettings.objects.filter(pk=1).update(churn_threshold=90)
        closing = _churn_queries(ids)
        CrmSettings.objects.filter(pk=1).update(churn_threshold=5)
        assert not ChurnEpisode.objects.filter(customer_id__in=ids, ended_at=None).exists()
        for kind in ("churn_warning_opened", "churn_warning_closed"):
            assert CustomerEvent.objects.filter(customer_id__in=ids, type=kind).count() == n
        counts[n] = [opening, raising, closing]
    assert counts[40] == counts[20]


def _big_spenders(org: Org, n: int, tag: str) -> list[Customer]:
    """Customers with one recent purchase of 40000 and an open case: graded R5 F1 M5 (gold)."""
    customers = [make_customer(org, f"{tag}{i}") for i in range(n)]
    ConsumptionRecord.objects.bulk_create(
        ConsumptionRecord(
            customer=c,
            kind="order",
            occurred_on=TODAY - dt.timedelta(days=3),
            product="企业专线",
            amount=Decimal(40000),
        )
        for c in customers
    )
    for c in customers:
        make_case(org, customer=c, kind="complaint")
    return customers


def test_tier_moves_take_a_few_statements_whatever_the_number_of_customers(org: Org) -> None:
    CrmSettings.objects.filter(pk=1).update(method="threshold")
    actor = Actor.system("rfm")
    counts = {}
    for n in (20, 40):
        customers = _big_spenders(org, n, f"大客户{n}-")
        with clock.frozen_at(NOW), CaptureQueriesContext(connection) as captured:
            recompute_grades(actor=actor, today=TODAY)
        counts[n] = len(captured)
        ids = [c.pk for c in customers]
        assert set(Customer.objects.filter(pk__in=ids).values_list("tier", flat=True)) == {"gold"}
        assert TierChange.objects.filter(customer_id__in=ids, tier="gold").count() == n
    assert counts[40] == counts[20]


def test_a_tier_move_recomputes_the_open_cases_time_standards(org: Org) -> None:
    """The bulk path does what change_customer_tier does for one customer: the open case's
    clocks follow the new tier, with an SLA-recomputed event saying why."""
    CrmSettings.objects.filter(pk=1).update(method="threshold")
    customer = make_customer(org)
    ConsumptionRecord.objects.bulk_create(
        ConsumptionRecord(
            customer=customer,
            kind="order",
            occurred_on=TODAY - dt.timedelta(days=k),
            product="企业专线",
            amount=Decimal(40000),
        )
        for k in range(20)
    )
    case = make_case(org, customer=customer, kind="complaint")
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    customer.refresh_from_db()
    assert customer.tier == "vip"
    event = CaseEvent.objects.get(case=case, type="sla_recomputed")
    assert event.data["reason"] == "tier"
    assert (event.actor_kind, event.actor_source) == ("system", "rfm")
    assert case.clocks.get(metric="assign").target_seconds == 30 * 60
