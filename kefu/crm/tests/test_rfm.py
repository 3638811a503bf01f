"""RFM grading: quantile edges and ties, thresholds, tiers as data, tier change events."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kefu.accounts.actors import Actor
from kefu.core import clock
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.crm import rfm
from kefu.crm.actions import recompute_grades, set_tier_manually
from kefu.crm.models import CrmSettings, CustomerValue, TierChange, ValueTier
from kefu.customers.actions import record_consumption
from kefu.customers.models import Customer
from kefu.sla.targets import clear_caches
from tests.factories import Org, make_case, make_customer

TODAY = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)


def test_quantile_scores_at_the_edges() -> None:
    values = np.arange(10, dtype=np.int64)
    graded = np.ones(10, dtype=bool)
    # Ten distinct values: two per quintile, the lowest scores 1, the highest 5.
    assert list(rfm.quantile_scores(values, graded)) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # One customer alone scores 1; five distinct values score 1..5.
    assert list(rfm.quantile_scores(np.array([7]), np.array([True]))) == [1]
    assert list(rfm.quantile_scores(np.arange(5), np.ones(5, bool))) == [1, 2, 3, 4, 5]


def test_ties_never_split_across_a_boundary() -> None:
    values = np.array([1, 1, 1, 1, 1, 1, 1, 1, 9, 9])
    scores = rfm.quantile_scores(values, np.ones(10, bool))
    assert list(scores) == [1] * 8 + [5, 5]
    same = rfm.quantile_scores(np.full(6, 3), np.ones(6, bool))
    assert set(same) == {1}


def test_ungraded_customers_score_one_and_do_not_shift_the_quantiles() -> None:
    values = np.array([0, 0, 10, 20, 30, 40, 50])
    graded = np.array([False, False, True, True, True, True, True])
    assert list(rfm.quantile_scores(values, graded)) == [1, 1, 1, 2, 3, 4, 5]


def test_threshold_scores() -> None:
    graded = np.ones(6, bool)
    days = np.array([0, 30, 31, 90, 365, 366])
    assert list(rfm.threshold_scores(days, graded, [30, 90, 180, 365], lower_is_better=True)) == [
        5,
        5,
        4,
        4,
        2,
        1,
    ]
    spend = np.array([0, 499, 500, 1999, 30000, 10**9])
    assert list(rfm.threshold_scores(spend, graded, [500, 2000, 8000, 30000])) == [
        1,
        1,
        2,
        2,
        5,
        5,
    ]


def test_tiers_from_scores() -> None:
    floors = [(13, 0), (10, 1), (7, 2), (0, 3)]
    assert list(rfm.tiers_for(np.array([15, 13, 12, 10, 9, 7, 6, 3]), floors)) == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
    ]


def _buy(customer: Customer, days_ago: int, amount: float, n: int = 1, ref: str = "") -> None:
    for k in range(n):
        record_consumption(
            actor=Actor.system("test"),
            customer_id=customer.pk,
            occurred_on=TODAY - dt.timedelta(days=days_ago + k),
            product="宽带套餐",
            amount=amount,
            external_id=f"{ref}-{k}" if ref else "",
        )


def _grading_data(org: Org) -> list[Customer]:
    customers = [make_customer(org, f"客户{i}") for i in range(5)]
    # Increasingly recent, frequent and big spenders.
    for i, customer in enumerate(customers):
        _buy(customer, days_ago=200 - 40 * i, amount=100 * (i + 1) ** 3, n=i + 1)
    return customers


def test_grading_stores_rfm_and_moves_tiers_with_events(org: Org) -> None:
    customers = _grading_data(org)
    with clock.frozen_at(NOW):
        result = recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    assert (result.graded, result.written) == (5, 5)
    values = {v.customer_id: v for v in CustomerValue.objects.all()}
    best, worst = values[customers[4].pk], values[customers[0].pk]
    assert (best.r, best.f, best.m, best.score, best.tier) == (5, 5, 5, 15, "vip")
    assert (worst.r, worst.f, worst.m, worst.score, worst.tier) == (1, 1, 1, 3, "standard")
    assert Customer.objects.get(pk=customers[4].pk).tier == "vip"
    assert Customer.objects.get(pk=customers[2].pk).tier == "silver"  # 3+3+3 = 9
    change = TierChange.objects.get(customer=customers[4])
    assert (change.previous, change.tier, change.r, change.f, change.m) == (
        "standard",
        "vip",
        5,
        5,
        5,
    )
    assert (change.frequency, change.recency_days) == (5, 40)
    # The customers already standard did not change tier: no event for them.
    assert not TierChange.objects.filter(customer=customers[0]).exists()

    # A second run with nothing new writes nothing and changes no tier.
    with clock.frozen_at(NOW):
        again = recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    assert (again.written, again.tier_changes) == (0, 0)
    assert TierChange.objects.count() == 3


def test_tier_names_and_floors_are_data(org: Org) -> None:
    customers = _grading_data(org)
    ValueTier.objects.filter(code="gold").update(active=False)
    ValueTier.objects.filter(code="silver").update(name="银牌", min_score=9)
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    tiers = list(
        Customer.objects.filter(pk__in=[c.pk for c in customers])
        .order_by("pk")
        .values_list("tier", flat=True)
    )
    assert tiers == ["standard", "standard", "silver", "silver", "vip"]


def test_threshold_method_and_window(org: Org) -> None:
    customer = make_customer(org)
    _buy(customer, days_ago=10, amount=40000, n=20)
    old = make_customer(org, "老客户")
    _buy(old, days_ago=400, amount=99999, n=3)  # outside the 365-day window
    CrmSettings.objects.filter(pk=1).update(method="threshold")
    with clock.frozen_at(NOW):
        result = recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    assert result.graded == 1
    value = CustomerValue.objects.get(customer=customer)
    assert (value.r, value.f, value.m, value.tier) == (5, 5, 5, "vip")
    assert not CustomerValue.objects.filter(customer=old).exists()


def test_a_customer_who_stops_buying_is_regraded_down(org: Org) -> None:
    customers = _grading_data(org)
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    later = TODAY + dt.timedelta(days=400)
    with clock.frozen_at(NOW + dt.timedelta(days=400)):
        result = recompute_grades(actor=Actor.system("rfm"), today=later)
    assert result.graded == 5
    assert set(
        Customer.objects.filter(pk__in=[c.pk for c in customers]).values_list("tier", flat=True)
    ) == {"standard"}
    assert TierChange.objects.filter(customer=customers[4], tier="standard").exists()


def test_a_vip_complaint_gets_the_stricter_time_standard(org: Org) -> None:
    customers = _grading_data(org)
    vip, plain = customers[4], customers[0]
    open_before = make_case(org, customer=vip, kind="complaint")
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    clear_caches()
    vip.refresh_from_db()
    plain_case = make_case(org, customer=plain, kind="complaint")
    vip_case = make_case(org, customer=vip, kind="complaint")

    def assign_minutes(case_id: int) -> float:
        from kefu.cases.models import CaseClock

        clock_row = CaseClock.objects.get(case_id=case_id, metric="assign")
        return clock_row.target_seconds / 60

    assert assign_minutes(vip_case.pk) == 30
    assert assign_minutes(plain_case.pk) == 60
    # The case open when the tier changed moved to the VIP standard too (change_customer_tier).
    assert assign_minutes(open_before.pk) == 30


def test_manual_tier_needs_a_reason_and_a_supervisor(org: Org) -> None:
    customer = make_customer(org)
    with pytest.raises(ValidationFailed):
        set_tier_manually(
            actor=Actor.staff(org.supervisor), customer_id=customer.pk, tier="vip", reason=""
        )
    with pytest.raises(PermissionDenied):
        set_tier_manually(
            actor=Actor.staff(org.agent), customer_id=customer.pk, tier="vip", reason="合同客户"
        )
    with pytest.raises(PermissionDenied):
        recompute_grades(actor=Actor.staff(org.agent))
    change = set_tier_manually(
        actor=Actor.staff(org.supervisor), customer_id=customer.pk, tier="vip", reason="合同客户"
    )
    assert (change.previous, change.tier, change.reason, change.actor_user) == (
        "standard",
        "vip",
        "合同客户",
        org.supervisor,
    )


def test_the_reasons_count_in_the_readers_language() -> None:
    """One day, one purchase, today: in English the words agree with the numbers."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import translation

    from kefu.crm.explain import rfm_reasons
    from kefu.crm.models import CrmSettings, CustomerValue

    today = dt.date(2026, 11, 24)
    value = CustomerValue(
        last_purchase_on=today - dt.timedelta(days=1), frequency=1, monetary=Decimal("88.00")
    )
    with translation.override("en"):
        reasons = rfm_reasons(value, CrmSettings(), [], today)
        assert reasons[:2] == [
            "R=1: last purchase 1 day ago",
            "F=1: 1 purchase in the last 365 days",
        ]
        value.last_purchase_on, value.frequency = today, 2
        assert rfm_reasons(value, CrmSettings(), [], today)[:2] == [
            "R=1: bought today",
            "F=1: 2 purchases in the last 365 days",
        ]
    with translation.override("zh-hans"):
        assert rfm_reasons(value, CrmSettings(), [], today)[1] == "F=1：近365天消费2次"
