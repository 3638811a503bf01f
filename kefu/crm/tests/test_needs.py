"""Customer needs: classified, assessed, prioritised by the shown formula, linked to cases."""

from __future__ import annotations

import pytest

from kefu.accounts.actors import Actor
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.crm.actions import record_need, update_need
from kefu.crm.models import Need
from kefu.crm.needs import need_priority
from tests.factories import Org, make_case, make_customer


def test_priority_formula_bounds() -> None:
    assert need_priority(5, 5, 5, 0) == 100.0
    assert need_priority(1, 1, 1, 180) == 10.0
    assert need_priority(1, 1, 1, 9999) == 10.0
    assert need_priority(5, 3, 1, 30) == pytest.approx(20 * (2 + 1.05 + 0.25) * (1 - 0.5 / 6), 0.01)
    # More important beats more feasible at the same total.
    assert need_priority(5, 3, 1, 0) > need_priority(1, 3, 5, 0)


def test_record_and_reassess_a_need(org: Org) -> None:
    customer = make_customer(org)
    case = make_case(org, customer=customer)
    need = record_need(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        category="price",
        title="希望提供家庭套餐折扣",
        importance=4,
        urgency=2,
        feasibility=3,
        days_to_fulfil=60,
        case_ids=[case.pk],
    )
    assert need.priority == need_priority(4, 2, 3, 60)
    assert list(need.cases.all()) == [case]
    need = update_need(
        actor=Actor.staff(org.supervisor), need_id=need.pk, urgency=5, status="planned"
    )
    assert (need.priority, need.status) == (need_priority(4, 5, 3, 60), "planned")


def test_need_refusals(org: Org) -> None:
    customer = make_customer(org)
    other_case = make_case(org)
    base = dict(
        customer_id=customer.pk,
        category="service",
        title="上门服务",
        importance=3,
        urgency=3,
        feasibility=3,
        days_to_fulfil=5,
    )
    with pytest.raises(ValidationFailed):
        record_need(actor=Actor.staff(org.agent), **{**base, "importance": 6})  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        record_need(actor=Actor.staff(org.agent), **{**base, "category": "whim"})  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        record_need(actor=Actor.staff(org.agent), **base, case_ids=[other_case.pk])  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        record_need(actor=Actor.staff(org.backoffice), **base)  # type: ignore[arg-type]
    assert not Need.objects.exists()


def test_a_need_links_only_cases_the_recorder_may_see(org: Org) -> None:
    customer = make_customer(org)
    hidden = make_case(org, customer=customer, by=org.other_agent)  # the other site's intake
    base = dict(
        customer_id=customer.pk,
        category="service",
        title="希望上门安装",
        importance=3,
        urgency=3,
        feasibility=3,
        days_to_fulfil=5,
        case_ids=[hidden.pk],
    )
    with pytest.raises(ValidationFailed):
        record_need(actor=Actor.staff(org.agent), **base)  # type: ignore[arg-type]
    assert not Need.objects.filter(customer=customer).exists()
    need = record_need(actor=Actor.staff(org.other_agent), **base)  # type: ignore[arg-type]
    assert list(need.cases.all()) == [hidden]
