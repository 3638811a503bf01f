"""Churn warning: the score's components, reasons in words, one follow-up per episode."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.accounts.actors import Actor
from kefu.core import clock
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.crm import churn
from kefu.crm.actions import (
    assess_churn,
    assign_follow_up,
    complete_follow_up,
    recompute_grades,
    record_satisfaction,
)
from kefu.crm.models import ChurnAssessment, ChurnEpisode, CrmSettings, FollowUpTask
from kefu.customers.actions import record_consumption, update_profile
from kefu.customers.models import Customer, CustomerEvent
from tests.factories import Org, make_case, make_customer

NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
TODAY = NOW.date()
WEIGHTS = {"decline": 35, "complaints": 20, "breaches": 15, "satisfaction": 20, "silence": 10}


def test_components_each_count_and_reasons_read_as_words() -> None:
    quiet = churn.score(churn.ChurnInputs(), WEIGHTS, 90)
    assert (quiet.score, quiet.reasons) == (0.0, [])
    stopped = churn.score(
        churn.ChurnInputs(recent_spend=Decimal(0), earlier_spend=Decimal(1000)), WEIGHTS, 90
    )
    assert stopped.components["decline"] == 1.0 and stopped.score == 35.0
    half = churn.score(
        churn.ChurnInputs(recent_spend=Decimal(500), earlier_spend=Decimal(1000)), WEIGHTS, 90
    )
    assert half.score == 17.5
    worst = churn.score(
        churn.ChurnInputs(
            recent_spend=Decimal(0),
            earlier_spend=Decimal(1000),
            complaints=5,
            breaches=2,
            satisfaction=0.2,
            satisfaction_source="survey",
            days_since_contact=400,
        ),
        WEIGHTS,
        90,
    )
    assert worst.score == 100.0
    assert [r["code"] for r in worst.reasons] == [
        "decline",
        "complaints",
        "satisfaction",
        "breaches",
        "silence",
    ]
    with translation.override("zh-hans"):
        texts = [churn.reason_text(r) for r in worst.reasons]
    assert texts[0] == "近90天消费 ¥0.00，比之前90天的 ¥1,000.00 下降100%"
    assert texts[1] == "近90天投诉5次"
    assert texts[2] == "满意度调查得分仅20%"
    with translation.override("en"):
        assert "complaint" in churn.reason_text(worst.reasons[1])
        one_each = [{"code": c, "days": 90, "count": 1} for c in ("complaints", "breaches")]
        assert [churn.reason_text(r) for r in one_each] == [
            "1 complaint in the last 90 days",
            "1 case missed a time standard in the last 90 days",
        ]
    # Sums as SQLite returns them (float noise), also in reasons stored before: money as
    # it is written.
    noisy = churn.score(
        churn.ChurnInputs(
            recent_spend=Decimal("456.670000000000"), earlier_spend=Decimal("3494.24000000001")
        ),
        WEIGHTS,
        90,
    )
    assert (noisy.reasons[0]["recent"], noisy.reasons[0]["earlier"]) == ("456.67", "3494.24")
    stored = {**noisy.reasons[0], "recent": "456.670000000000", "earlier": "3494.24000000000"}
    with translation.override("zh-hans"):
        assert churn.reason_text(stored) == "近90天消费 ¥456.67，比之前90天的 ¥3,494.24 下降87%"
    one = churn.score(churn.ChurnInputs(complaints=1), WEIGHTS, 90)
    assert one.components["complaints"] == pytest.approx(0.333, abs=0.001)


def _spender(org: Org, name: str, recent: float, earlier: float) -> Customer:
    customer = make_customer(org, name)
    for days_ago, amount in ((20, recent), (120, earlier)):
        if amount:
            record_consumption(
                actor=Actor.system("test"),
                customer_id=customer.pk,
                occurred_on=TODAY - dt.timedelta(days=days_ago),
                product="企业专线",
                amount=amount,
            )
    return customer


def test_at_risk_customers_get_one_follow_up_per_episode(org: Org) -> None:
    CrmSettings.objects.filter(pk=1).update(churn_threshold=40)
    leaving = _spender(org, "流失客户", recent=0, earlier=5000)
    update_profile(
        actor=Actor.staff(org.supervisor),
        customer_id=leaving.pk,
        account_manager_id=org.site_manager.pk,
    )
    steady = _spender(org, "稳定客户", recent=5000, earlier=5000)
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    with clock.frozen_at(NOW - dt.timedelta(days=5)):
        make_case(org, customer=leaving)  # a complaint in the window
    result = assess_churn(actor=Actor.system("churn"), now=NOW)
    assert (result.assessed, result.at_risk, result.episodes_opened) == (2, 1, 1)
    assessment = ChurnAssessment.objects.get(customer=leaving)
    assert assessment.at_risk and assessment.score == pytest.approx(41.7, abs=0.1)
    assert [r["code"] for r in assessment.reasons] == ["decline", "complaints"]
    assert not ChurnAssessment.objects.get(customer=steady).at_risk
    task = FollowUpTask.objects.get()
    assert (task.customer, task.assignee, task.status) == (leaving, org.site_manager, "open")

    # The nightly run again: still at risk, still one episode, still one task.
    again = assess_churn(actor=Actor.system("churn"), now=NOW + dt.timedelta(days=1))
    assert (again.at_risk, again.episodes_opened) == (1, 0)
    assert FollowUpTask.objects.count() == 1

    # Back to buying: the episode ends; a later fall opens a new one with a new task.
    record_consumption(
        actor=Actor.system("test"),
        customer_id=leaving.pk,
        occurred_on=TODAY,
        product="企业专线",
        amount=6000,
    )
    calm = assess_churn(actor=Actor.system("churn"), now=NOW + dt.timedelta(days=2))
    assert (calm.at_risk, calm.episodes_closed) == (0, 1)
    assert ChurnEpisode.objects.get().ended_at is not None
    # 100 days without a purchase and a new complaint.
    with clock.frozen_at(NOW + dt.timedelta(days=95)):
        make_case(org, customer=leaving)
    later = assess_churn(actor=Actor.system("churn"), now=NOW + dt.timedelta(days=100))
    assert later.episodes_opened == 2  # the steady customer has stopped buying too
    assert FollowUpTask.objects.filter(customer=leaving).count() == 2


def test_low_satisfaction_from_surveys_else_return_visits(org: Org) -> None:
    customer = _spender(org, "不满意客户", recent=100, earlier=100)
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    record_satisfaction(
        actor=Actor.system("surveys"),
        customer_id=customer.pk,
        score=1,
        scale_max=5,
        source="survey",
        reference="a1",
        measured_at=NOW - dt.timedelta(days=3),
    )
    assess_churn(actor=Actor.system("churn"), customer_ids=[customer.pk], now=NOW)
    assessment = ChurnAssessment.objects.get(customer=customer)
    assert assessment.components["satisfaction"] == 1.0
    assert assessment.reasons[0]["source"] == "survey"


def test_follow_up_completion(org: Org) -> None:
    CrmSettings.objects.filter(pk=1).update(churn_threshold=30)
    customer = _spender(org, "流失客户", recent=0, earlier=5000)
    update_profile(
        actor=Actor.staff(org.supervisor),
        customer_id=customer.pk,
        account_manager_id=org.agent.pk,
    )
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    assess_churn(actor=Actor.system("churn"), now=NOW)
    task = FollowUpTask.objects.get()
    with pytest.raises(PermissionDenied):
        complete_follow_up(actor=Actor.staff(org.teammate), task_id=task.pk, note="已致电")
    with pytest.raises(ValidationFailed):
        complete_follow_up(actor=Actor.staff(org.agent), task_id=task.pk, note="")
    done = complete_follow_up(
        actor=Actor.staff(org.agent), task_id=task.pk, note="已致电，客户续约"
    )
    assert done.status == "done"
    with pytest.raises(Conflict):
        complete_follow_up(actor=Actor.staff(org.agent), task_id=task.pk, note="again")
    with pytest.raises(PermissionDenied):
        assess_churn(actor=Actor.staff(org.agent))


def test_a_follow_up_nobody_has_is_taken_or_given_by_a_supervisor(org: Org, client) -> None:
    def as_user(user):
        client.force_login(user)
        client.cookies["django_language"] = "zh-hans"
        return client

    CrmSettings.objects.filter(pk=1).update(churn_threshold=30)
    customer = _spender(org, "无经理客户", recent=0, earlier=5000)  # no account manager
    with clock.frozen_at(NOW):
        recompute_grades(actor=Actor.system("rfm"), today=TODAY)
    assess_churn(actor=Actor.system("churn"), now=NOW)
    task = FollowUpTask.objects.get()
    assert task.assignee is None

    page = as_user(org.supervisor).get(reverse("web:crm_churn")).content.decode()
    assert "无人负责" in page and 'data-testid="take-follow-up"' in page
    with pytest.raises(PermissionDenied):
        assign_follow_up(actor=Actor.staff(org.agent), task_id=task.pk, assignee_id=org.agent.pk)
    org.teammate.is_active = False
    org.teammate.save()
    with pytest.raises(ValidationFailed):
        assign_follow_up(
            actor=Actor.staff(org.supervisor), task_id=task.pk, assignee_id=org.teammate.pk
        )

    response = as_user(org.supervisor).post(reverse("web:crm_follow_up_take", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == org.supervisor
    page = as_user(org.supervisor).get(reverse("web:crm_churn")).content.decode()
    assert "我的跟进任务" in page and "无经理客户" in page and "无人负责" not in page

    # Given on to the agent, who now has it and completes it; the record says who had it.
    assign_follow_up(actor=Actor.staff(org.supervisor), task_id=task.pk, assignee_id=org.agent.pk)
    complete_follow_up(actor=Actor.staff(org.agent), task_id=task.pk, note="已回电")
    given = CustomerEvent.objects.filter(customer=customer, type="follow_up_assigned")
    assert [(e.data["before"], e.data["assignee_id"]) for e in given.order_by("id")] == [
        (None, org.supervisor.pk),
        (org.supervisor.pk, org.agent.pk),
    ]
    with pytest.raises(Conflict):
        assign_follow_up(
            actor=Actor.staff(org.supervisor), task_id=task.pk, assignee_id=org.supervisor.pk
        )
    record = as_user(org.supervisor).get(reverse("web:customer_record", args=[customer.pk]))
    assert f"将流失预警跟进交给 {org.agent.label}" in record.content.decode()
