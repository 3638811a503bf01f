"""Every crm write about a customer leaves an entry on the customer's record (CustomerEvent)
with what a reader of that record wants to know, written with the change itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.accounts.actors import Actor
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.crm.actions import (
    assess_churn,
    complete_follow_up,
    record_need,
    record_satisfaction,
    update_need,
)
from kefu.crm.models import ChurnEpisode, CrmSettings, CustomerValue, FollowUpTask, Need
from kefu.customers.models import Customer, CustomerEvent
from tests.factories import Org, make_case, make_customer

NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)


def _events(customer: Customer, event_type: str) -> list[dict[str, Any]]:
    return [e.data for e in CustomerEvent.objects.filter(customer=customer, type=event_type)]


def _need(org: Org, customer: Customer, **overrides: Any) -> Need:
    values: dict[str, Any] = dict(
        customer_id=customer.pk,
        category="price",
        title="希望提供家庭套餐折扣",
        importance=4,
        urgency=2,
        feasibility=3,
        days_to_fulfil=60,
    )
    return record_need(actor=Actor.staff(org.agent), **{**values, **overrides})


def test_a_recorded_need_is_on_the_customers_record(org: Org) -> None:
    customer = make_customer(org)
    case = make_case(org, customer=customer)
    need = _need(org, customer, case_ids=[case.pk])
    event = CustomerEvent.objects.get(customer=customer, type="need_recorded")
    assert event.actor_user == org.agent
    assert event.data == {
        "need_id": need.pk,
        "title": "希望提供家庭套餐折扣",
        "category": "price",
        "priority": need.priority,
        "importance": 4,
        "urgency": 2,
        "feasibility": 3,
        "days_to_fulfil": 60,
        "case_ids": [case.pk],
    }
    # A refused need leaves no entry.
    with pytest.raises(ValidationFailed):
        _need(org, customer, urgency=9)
    assert len(_events(customer, "need_recorded")) == 1


def test_a_reassessed_need_records_what_changed_before_and_after(org: Org) -> None:
    customer = make_customer(org)
    need = _need(org, customer)
    old_priority = need.priority
    need = update_need(
        actor=Actor.staff(org.supervisor), need_id=need.pk, urgency=5, status="planned"
    )
    event = CustomerEvent.objects.get(customer=customer, type="need_updated")
    assert event.actor_user == org.supervisor
    assert event.data == {
        "need_id": need.pk,
        "title": need.title,
        "before": {"urgency": 2, "priority": old_priority, "status": "open"},
        "after": {"urgency": 5, "priority": need.priority, "status": "planned"},
    }
    # Saving the same assessment again changes nothing and records nothing.
    update_need(actor=Actor.staff(org.supervisor), need_id=need.pk, urgency=5)
    assert len(_events(customer, "need_updated")) == 1


def test_a_satisfaction_measurement_is_on_the_record_once(org: Org) -> None:
    customer = make_customer(org)
    for _ in range(2):  # the repeat is idempotent: no second measurement, no second entry
        record_satisfaction(
            actor=Actor.system("surveys"),
            customer_id=customer.pk,
            score=2,
            scale_max=5,
            source="survey",
            reference="answer:9",
            measured_at=NOW,
        )
    [data] = _events(customer, "satisfaction_recorded")
    assert (data["score"], data["scale_max"], data["source"], data["reference"]) == (
        2,
        5,
        "survey",
        "answer:9",
    )
    assert data["measured_at"] == NOW.isoformat()


def _silent_customers(org: Org, n: int) -> list[Customer]:
    """Graded customers whose last purchase was 200 days ago: the silence reason."""
    customers = [make_customer(org, f"沉默客户{i}") for i in range(n)]
    CustomerValue.objects.bulk_create(
        CustomerValue(
            customer=c,
            last_purchase_on=NOW.date() - dt.timedelta(days=200),
            tier="standard",
            computed_at=NOW,
        )
        for c in customers
    )
    return customers


def test_churn_warnings_opening_and_ending_are_on_the_record(org: Org) -> None:
    CrmSettings.objects.filter(pk=1).update(churn_threshold=5)
    [customer] = _silent_customers(org, 1)
    assess_churn(actor=Actor.system("churn"), now=NOW)
    episode = ChurnEpisode.objects.get(customer=customer)
    task = FollowUpTask.objects.get(customer=customer)
    opened = CustomerEvent.objects.get(customer=customer, type="churn_warning_opened")
    assert (opened.actor_kind, opened.actor_source) == ("system", "churn")
    assert opened.data == {
        "episode_id": episode.pk,
        "score": episode.peak_score,
        "reasons": ["silence"],
        "follow_up_id": task.pk,
        "assignee_id": None,
        "due_at": task.due_at.isoformat(),
    }
    # Still at risk the next night: no second entry.
    assess_churn(actor=Actor.system("churn"), now=NOW + dt.timedelta(days=1))
    assert len(_events(customer, "churn_warning_opened")) == 1
    assert _events(customer, "churn_warning_closed") == []

    CrmSettings.objects.filter(pk=1).update(churn_threshold=90)
    assess_churn(actor=Actor.system("churn"), now=NOW + dt.timedelta(days=2))
    [closed] = _events(customer, "churn_warning_closed")
    episode.refresh_from_db()
    assert episode.ended_at is not None
    assert closed["episode_id"] == episode.pk
    assert closed["started_at"] == episode.started_at.isoformat()
    assert closed["peak_score"] == episode.peak_score
    assert closed["score"] < 90


def test_a_completed_follow_up_is_on_the_record(org: Org) -> None:
    CrmSettings.objects.filter(pk=1).update(churn_threshold=5)
    [customer] = _silent_customers(org, 1)
    with clock.frozen_at(NOW):
        assess_churn(actor=Actor.system("churn"), now=NOW)
    task = FollowUpTask.objects.get(customer=customer)
    complete_follow_up(
        actor=Actor.staff(org.supervisor), task_id=task.pk, note="已致电，客户下月续约"
    )
    event = CustomerEvent.objects.get(customer=customer, type="follow_up_done")
    assert event.actor_user == org.supervisor
    assert event.data == {
        "task_id": task.pk,
        "episode_id": task.episode_id,
        "title": task.title,
        "note": "已致电，客户下月续约",
    }
