"""Customer profiles: decision chains, consents, consumption, reveal of personal data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.accounts.actors import Actor
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.customers.actions import (
    add_address,
    add_contact,
    add_email,
    add_phone,
    create_customer,
    record_consent,
    record_consumption,
    reveal_personal_data,
    set_decision_role,
    set_tags,
    update_profile,
)
from kefu.customers.choices import CustomerEventType
from kefu.customers.models import ConsumptionRecord, CustomerEvent, CustomerKind, DecisionRole
from kefu.customers.selectors import decision_chain, may_contact
from tests.factories import Org, make_customer


def _company(org: Org, name: str = "华北电力设备公司"):
    return create_customer(actor=Actor.staff(org.agent), name=name, kind=CustomerKind.ORGANISATION)


def test_decision_chain_lists_role_holders_in_role_order(org: Org) -> None:
    company = _company(org)
    actor = Actor.staff(org.agent)
    user = add_contact(actor=actor, organisation_id=company.pk, name="赵使用", role_code="user")
    boss = add_contact(
        actor=actor, organisation_id=company.pk, name="钱总", role_code="decision_maker"
    )
    add_contact(actor=actor, organisation_id=company.pk, name="孙无角色")
    buyer = add_contact(
        actor=actor, organisation_id=company.pk, name="李采购", role_code="purchaser"
    )
    other = _company(org, "别家公司")
    add_contact(actor=actor, organisation_id=other.pk, name="周总", role_code="decision_maker")

    assert [c.pk for c in decision_chain(company.pk)] == [boss.pk, buyer.pk, user.pk]
    assert CustomerEvent.objects.filter(type=CustomerEventType.CONTACT_ROLE).count() == 4


def test_decision_roles_are_data(org: Org) -> None:
    company = _company(org)
    DecisionRole.objects.create(code="sponsor", name="发起人", rank=5)
    contact = add_contact(
        actor=Actor.staff(org.agent), organisation_id=company.pk, name="吴", role_code="sponsor"
    )
    assert decision_chain(company.pk) == [contact]
    set_decision_role(actor=Actor.staff(org.agent), contact_id=contact.pk, role_code=None)
    assert decision_chain(company.pk) == []


def test_decision_role_refusals(org: Org) -> None:
    person = make_customer(org)
    with pytest.raises(ValidationFailed):
        set_decision_role(actor=Actor.staff(org.agent), contact_id=person.pk, role_code="user")
    company = _company(org)
    contact = add_contact(actor=Actor.staff(org.agent), organisation_id=company.pk, name="甲")
    with pytest.raises(ValidationFailed):
        set_decision_role(actor=Actor.staff(org.agent), contact_id=contact.pk, role_code="nope")
    with pytest.raises(PermissionDenied):
        set_decision_role(
            actor=Actor.staff(org.backoffice), contact_id=contact.pk, role_code="user"
        )
    contact.refresh_from_db()
    assert contact.decision_role is None


def test_may_contact_defaults_and_consents(org: Org) -> None:
    customer = make_customer(org)
    actor = Actor.staff(org.agent)
    assert may_contact(customer, "service") is True
    for purpose in ("care", "survey", "marketing"):
        assert may_contact(customer, purpose) is False
    when = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    consent = record_consent(
        actor=actor,
        customer_id=customer.pk,
        purpose="survey",
        granted=True,
        method="phone",
        at=when,
    )
    assert (consent.given_at, consent.given_via) == (when, "phone")
    assert may_contact(customer, "survey") is True
    record_consent(
        actor=actor, customer_id=customer.pk, purpose="survey", granted=False, method="sms"
    )
    assert may_contact(customer, "survey") is False
    record_consent(
        actor=actor, customer_id=customer.pk, purpose="service", granted=False, method="phone"
    )
    assert may_contact(customer, "service") is False
    assert list(CustomerEvent.objects.filter(customer=customer).values_list("type", flat=True)) == [
        "consent_given",
        "consent_withdrawn",
        "consent_withdrawn",
    ]
    with pytest.raises(ValueError):
        may_contact(customer, "spam")
    with pytest.raises(ValidationFailed):
        record_consent(
            actor=actor, customer_id=customer.pk, purpose="care", granted=True, method="carrier"
        )


def test_profile_fields_and_identifiers(org: Org) -> None:
    customer = make_customer(org)
    actor = Actor.staff(org.supervisor)
    update_profile(
        actor=actor,
        customer_id=customer.pk,
        birthday=dt.date(1980, 5, 4),
        preferred_channel="wechat",
        preferred_language="zh-hans",
        id_number="110101198005040011",
        external_id="CRM-1",
        account_manager_id=org.site_manager.pk,
    )
    customer.refresh_from_db()
    assert customer.account_manager == org.site_manager
    assert customer.preferred_channel == "wechat"
    with pytest.raises(PermissionDenied):
        update_profile(
            actor=Actor.staff(org.agent), customer_id=customer.pk, account_manager_id=org.agent.pk
        )
    with pytest.raises(ValidationFailed):
        update_profile(actor=actor, customer_id=customer.pk, preferred_channel="pigeon")
    other = make_customer(org, "李四")
    with pytest.raises(Conflict):
        update_profile(actor=actor, customer_id=other.pk, external_id="CRM-1")
    add_phone(actor=actor, customer_id=customer.pk, phone="13900001111", label="单位")
    add_email(actor=actor, customer_id=customer.pk, email="x@example.cn")
    add_address(actor=actor, customer_id=customer.pk, region="北京市东城区", line="东长安街1号")
    assert set_tags(actor=actor, customer_id=customer.pk, tags=["大客户", " 老客户 ", ""]) == [
        "大客户",
        "老客户",
    ]
    assert customer.phones.count() == 2 and customer.addresses.count() == 1
    with pytest.raises(Conflict):
        add_phone(actor=actor, customer_id=other.pk, phone="139 0000 1111")


def test_consumption_is_idempotent_on_external_id(org: Org) -> None:
    customer = make_customer(org)
    actor = Actor.system("import")
    first = record_consumption(
        actor=actor,
        customer_id=customer.pk,
        occurred_on=dt.date(2026, 1, 5),
        product="宽带套餐",
        amount="199.00",
        external_id="ORD-1",
    )
    again = record_consumption(
        actor=actor,
        customer_id=customer.pk,
        occurred_on=dt.date(2026, 1, 5),
        product="宽带套餐",
        amount="199.00",
        external_id="ORD-1",
    )
    assert first.pk == again.pk and first.amount == Decimal("199.00")
    with pytest.raises(Conflict):
        record_consumption(
            actor=actor,
            customer_id=make_customer(org, "王五").pk,
            occurred_on=dt.date(2026, 1, 5),
            product="x",
            amount=1,
            external_id="ORD-1",
        )
    with pytest.raises(ValidationFailed):
        record_consumption(
            actor=actor,
            customer_id=customer.pk,
            occurred_on=dt.date(2026, 1, 5),
            product="",
            amount="abc",
        )
    assert ConsumptionRecord.objects.count() == 1


def test_reveal_needs_a_reason_and_is_recorded(org: Org) -> None:
    customer = make_customer(org, phone="13812341234")
    actor = Actor.staff(org.agent)
    with pytest.raises(ValidationFailed):
        reveal_personal_data(actor=actor, customer_id=customer.pk, field="phone", reason="")
    assert not CustomerEvent.objects.filter(type="revealed").exists()
    value = reveal_personal_data(
        actor=actor, customer_id=customer.pk, field="phone", reason="回拨客户核实故障"
    )
    assert value == "+8613812341234"
    event = CustomerEvent.objects.get(type="revealed")
    assert (event.actor_user, event.data["field"], event.data["reason"]) == (
        org.agent,
        "phone",
        "回拨客户核实故障",
    )
