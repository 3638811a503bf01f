"""A recorded purchase is on the customer's record; decision-chain roles are configured
through save_decision_role (checked, recorded), also from the admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.accounts.actors import Actor
from kefu.accounts.models import ConfigurationEvent, User
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.customers.actions import (
    bulk_record_consumption,
    record_consumption,
    save_decision_role,
)
from kefu.customers.models import ConsumptionRecord, Customer, CustomerEvent, DecisionRole
from tests.factories import Org, make_customer


def test_a_recorded_purchase_is_on_the_customers_record_once(org: Org) -> None:
    customer = make_customer(org)
    for _ in range(2):  # idempotent on the external id: one row, one entry
        record = record_consumption(
            actor=Actor.system("billing"),
            customer_id=customer.pk,
            occurred_on=dt.date(2026, 1, 5),
            product="宽带套餐",
            amount="199",
            quantity=2,
            channel="web",
            external_id="ORD-7",
        )
    event = CustomerEvent.objects.get(customer=customer, type="consumption_recorded")
    assert (event.actor_kind, event.actor_source) == ("system", "billing")
    assert event.data == {
        "record_id": record.pk,
        "kind": "order",
        "occurred_on": "2026-01-05",
        "product": "宽带套餐",
        "quantity": "2",
        "amount": "199.00",
        "channel": "web",
        "external_id": "ORD-7",
    }
    with pytest.raises(ValidationFailed):
        record_consumption(
            actor=Actor.system("billing"),
            customer_id=customer.pk,
            occurred_on=dt.date(2026, 1, 5),
            product="",
            amount=1,
        )
    assert CustomerEvent.objects.filter(type="consumption_recorded").count() == 1


def _purchases(customers: list[Customer], tag: str) -> list[ConsumptionRecord]:
    return [
        ConsumptionRecord(
            customer_id=c.pk,
            kind="bill",
            occurred_on=dt.date(2026, 2, 1),
            product="月租",
            quantity=Decimal(1),
            amount=Decimal("58.00"),
            external_id=f"{tag}-{c.pk}",
        )
        for c in customers
    ]


def test_purchases_recorded_in_bulk_are_each_on_the_record_in_a_few_statements(
    org: Org,
) -> None:
    billing = Actor.system("billing")
    record_consumption(
        actor=billing,
        customer_id=make_customer(org).pk,
        occurred_on=dt.date(2026, 1, 5),
        product="宽带套餐",
        amount="199",
        external_id="ORD-stored",
    )
    counts = {}
    for n in (20, 40):
        customers = [make_customer(org, f"客户{n}-{i}") for i in range(n)]
        records = _purchases(customers, f"BILL{n}")
        # one already stored, one repeated in the batch: both skipped
        records[0].external_id = "ORD-stored"
        records.append(_purchases(customers[-1:], f"BILL{n}")[0])
        with CaptureQueriesContext(connection) as captured:
            assert bulk_record_consumption(actor=billing, records=records) == n - 1
        counts[n] = len(captured)
        stored = {r.pk: r for r in ConsumptionRecord.objects.filter(customer__in=customers)}
        assert len(stored) == n - 1
        events = CustomerEvent.objects.filter(customer__in=customers, type="consumption_recorded")
        assert sorted(e.data["record_id"] for e in events) == sorted(stored)
        event = events.get(customer=customers[1])
        assert (event.actor_kind, event.actor_source) == ("system", "billing")
        assert event.data["external_id"] == f"BILL{n}-{customers[1].pk}"
        assert (event.data["amount"], event.data["occurred_on"]) == ("58.00", "2026-02-01")
    assert counts[40] == counts[20]
    with pytest.raises(PermissionDenied):
        bulk_record_consumption(actor=Actor.staff(org.agent), records=[])


def _client(user: User) -> Client:
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _events(role: DecisionRole) -> list[ConfigurationEvent]:
    return list(
        ConfigurationEvent.objects.filter(
            app_label="customers", model="decisionrole", object_id=str(role.pk)
        )
    )


def _form(role: DecisionRole, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": role.name, "name_en": role.name_en, "rank": role.rank}
    if role.active:
        data["active"] = "on"
    data.update(changes)
    return data


def test_editing_a_decision_role_in_the_admin_goes_through_the_action(org: Org) -> None:
    client = _client(org.admin)
    role = DecisionRole.objects.order_by("rank", "id").first()
    assert role is not None
    url = f"/admin/customers/decisionrole/{role.pk}/change/"
    old_name = role.name
    assert client.post(url, _form(role, name="最终拍板人", rank=3)).status_code == 302
    role.refresh_from_db()
    assert (role.name, role.rank) == ("最终拍板人", 3)
    [event] = _events(role)
    assert (event.action, event.actor_user) == ("changed", org.admin)
    assert event.data["before"]["name"] == old_name
    assert event.data["after"] == {"name": "最终拍板人", "rank": 3}
    # Refused by the action's rules: shown on the form, nothing written.
    assert client.post(url, _form(role, name="")).status_code == 200
    role.refresh_from_db()
    assert role.name == "最终拍板人" and len(_events(role)) == 1
    # Contacts hold roles: deactivate, never delete.
    delete = f"/admin/customers/decisionrole/{role.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DecisionRole.objects.filter(pk=role.pk).exists()


def test_adding_a_decision_role_in_the_admin_records_it(org: Org) -> None:
    client = _client(org.admin)
    form = {"code": "auditor", "name": "审计", "name_en": "Auditor", "rank": 9, "active": "on"}
    assert client.post("/admin/customers/decisionrole/add/", form).status_code == 302
    role = DecisionRole.objects.get(code="auditor")
    [event] = _events(role)
    assert event.action == "created" and event.data["after"]["name_en"] == "Auditor"


def test_decision_role_rules(org: Org) -> None:
    role = DecisionRole.objects.order_by("rank", "id").first()
    assert role is not None
    with pytest.raises(PermissionDenied):
        save_decision_role(actor=Actor.staff(org.agent), values={"rank": 1}, role_id=role.pk)
    supervisor = Actor.staff(org.supervisor)
    with pytest.raises(ValidationFailed) as renamed:
        save_decision_role(actor=supervisor, values={"code": "boss"}, role_id=role.pk)
    assert "code" in renamed.value.fields
    with pytest.raises(ValidationFailed):
        save_decision_role(actor=supervisor, values={"code": role.code, "name": "重复"})
    save_decision_role(actor=supervisor, values={"rank": role.rank}, role_id=role.pk)
    assert _events(role) == []  # unchanged: nothing recorded
    agent = _client(org.agent)
    response = agent.post(f"/admin/customers/decisionrole/{role.pk}/change/", _form(role))
    assert response.status_code == 403


def test_customers_are_shown_not_edited_in_the_admin(org: Org) -> None:
    """Registering or editing a customer in the admin would skip the normalised phones and
    the customer's record: the customer pages and the API do that."""
    client = _client(org.admin)
    customer = make_customer(org, "赵六")
    page = client.get(f"/admin/customers/customer/{customer.pk}/change/")
    assert page.status_code == 200 and customer.primary_phone in page.content.decode()
    assert client.get("/admin/customers/customer/add/").status_code == 403
    posted = client.post(
        f"/admin/customers/customer/{customer.pk}/change/", {"name": "改名", "kind": "person"}
    )
    assert posted.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "赵六"
