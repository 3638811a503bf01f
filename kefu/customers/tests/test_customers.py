"""Customers: identifiers normalised and unique, found as an agent types, masked by role."""

from __future__ import annotations

import pytest

from kefu.accounts.actors import Actor
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.customers.actions import create_customer, find_or_create_customer
from kefu.customers.models import Customer, CustomerEmail, CustomerPhone
from kefu.customers.normalize import mask_email, mask_phone, normalize_email, normalize_phone
from kefu.customers.selectors import get_customer, search_customers
from tests.factories import Org, make_case


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678", "＋８６13812345678"],
)
def test_mainland_mobiles_normalise_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+8613812345678"


def test_landlines_and_foreign_numbers() -> None:
    assert normalize_phone("010-87654321") == "+861087654321"
    assert normalize_phone("+852 9123 4567") == "+85291234567"
    for bad in ["", "abc", "12"]:
        with pytest.raises(ValueError):
            normalize_phone(bad)


def test_emails_normalise_domain_only() -> None:
    assert normalize_email(" Zhang.San@Example.COM ") == "Zhang.San@example.com"
    with pytest.raises(ValueError):
        normalize_email("not-an-email")


def test_masking() -> None:
    assert mask_phone("+8613812341234") == "138****1234"
    assert mask_phone("+85291234567") == "852****4567"
    assert mask_email("zhangsan@example.cn") == "z***@example.cn"


def test_create_customer_stores_normalised_unique_identifiers(org: Org) -> None:
    customer = create_customer(
        actor=Actor.staff(org.agent), name=" 张三 ", phone="138 1234 5678", email="ZS@QQ.COM"
    )
    assert (customer.name, customer.primary_phone, customer.primary_email) == (
        "张三",
        "+8613812345678",
        "ZS@qq.com",
    )
    assert list(customer.phones.values_list("number", flat=True)) == ["+8613812345678"]
    with pytest.raises(Conflict):
        create_customer(actor=Actor.staff(org.agent), name="李四", phone="+86 13812345678")
    with pytest.raises(Conflict):
        create_customer(actor=Actor.staff(org.agent), name="李四", email="zs@qq.com")
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "长" * 201}, "name"),
        ({"name": "王五", "phone": "12"}, "phone"),
        ({"name": "王五", "email": "nope"}, "email"),
        ({"name": "王五", "kind": "robot"}, "kind"),
    ],
)
def test_bad_customer_input_stores_nothing(org: Org, kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        create_customer(actor=Actor.staff(org.agent), **kwargs)
    assert field in error.value.fields
    assert not Customer.objects.exists()
    assert not CustomerPhone.objects.exists()
    assert not CustomerEmail.objects.exists()


def test_backoffice_does_not_register_customers(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        create_customer(actor=Actor.staff(org.backoffice), name="赵六", phone="13900000001")
    assert not Customer.objects.exists()


def test_find_or_create_reuses_by_phone_then_email(org: Org) -> None:
    actor = Actor.staff(org.agent)
    first = find_or_create_customer(actor=actor, name="张三", phone="13812345678")
    assert find_or_create_customer(actor=actor, name="别名", phone="+8613812345678") == first
    by_mail = create_customer(actor=actor, name="钱七", email="qian@example.cn")
    assert find_or_create_customer(actor=actor, name="钱七", email="QIAN@example.cn") == by_mail
    new = find_or_create_customer(actor=actor, name="孙八", phone="13700000000")
    assert new not in (first, by_mail)


def test_organisation_with_contacts_and_cases_one_query_away(org: Org) -> None:
    actor = Actor.staff(org.agent)
    company = create_customer(actor=actor, name="华南物流有限公司", kind="organisation")
    contact = create_customer(actor=actor, name="周经理", phone="13600000000", organisation=company)
    assert list(company.contacts.all()) == [contact]
    case = make_case(org, customer=contact)
    assert list(contact.cases.all()) == [case]


def test_search_as_you_type(org: Org) -> None:
    actor = Actor.staff(org.agent)
    zhang = create_customer(actor=actor, name="张三", phone="13812345678", email="zs@qq.com")
    li = create_customer(actor=actor, name="李四", phone="13987654321")
    assert list(search_customers(org.agent, "张")) == [zhang]
    assert list(search_customers(org.agent, "1381234")) == [zhang]
    assert list(search_customers(org.agent, "139 8765 4321")) == [li]
    assert list(search_customers(org.agent, "zs@")) == [zhang]
    assert set(search_customers(org.agent, "")) == {zhang, li}
    assert get_customer(org.agent, li.pk) == li


def test_a_whole_number_is_found_through_its_index(org: Org, django_assert_max_num_queries) -> None:
    actor = Actor.staff(org.agent)
    caller = create_customer(actor=actor, name="王五", phone="13700001111")
    numbered = create_customer(actor=actor, name="赵六 13700001111", email="z6@qq.com")
    Customer.objects.filter(pk=numbered.pk).update(external_id="C0042")
    # The caller's number: the owner of that number only, not a name that contains it.
    with django_assert_max_num_queries(4):
        assert list(search_customers(org.agent, "+86 137-0000-1111")) == [caller]
    assert list(search_customers(org.agent, "C0042")) == [numbered]
    # Part of a number still searches names, emails and phones.
    assert set(search_customers(org.agent, "0000111")) == {caller, numbered}
