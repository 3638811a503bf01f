"""Customers: register, search, read (masked by role), and their cases."""

from __future__ import annotations

import pytest

from kefu.api.tests.conftest import error_of
from kefu.customers.models import Customer
from tests.factories import make_case, make_customer

ROLES = ["agent", "supervisor", "site_manager", "backoffice", "admin", "other_agent"]
UNMASKED = {"supervisor", "site_manager", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_registering_a_customer_by_role(org, api, role):
    response = api(getattr(org, role)).post(
        "/customers", {"name": "周先生", "phone": "13512345678", "email": "Zhou@Example.CN"}
    )

    if role == "backoffice":
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"
        assert Customer.objects.count() == 0
        return
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.primary_phone, customer.primary_email) == (
        "+8613512345678",
        "Zhou@example.cn",
    )
    if role in UNMASKED:
        assert (body["phone"], body["phones"]) == ("+8613512345678", ["+8613512345678"])
    else:
        assert (body["phone"], body["phones"]) == ("135****5678", ["135****5678"])
        assert body["email"] == "Z***@example.cn"


def test_a_phone_that_already_identifies_a_customer_is_409(org, api):
    make_customer(org, phone="13512345678")

    response = api(org.agent).post("/customers", {"name": "另一个人", "phone": "135-1234-5678"})

    assert response.status_code == 409
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "phone": "13512345678"}, "name"),
        ({"name": "周", "phone": "123"}, "phone"),
        ({"name": "周", "email": "not-an-email"}, "email"),
        ({"phone": "13512345678"}, "name"),
        ({"name": "周", "kind": "alien"}, "kind"),
    ],
)
def test_invalid_customer_input_is_422_and_nothing_is_stored(org, api, body, field):
    response = api(org.agent).post("/customers", body)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert Customer.objects.count() == 0


def test_searching_customers_by_name_phone_and_email(org, api):
    zhang = make_customer(org, name="张三", phone="13800138000")
    li = make_customer(org, name="李四", phone="13900139000")
    client = api(org.supervisor)

    def found(q):
        response = client.get("/customers", {"q": q})
        assert response.status_code == 200
        return [c["id"] for c in response.json()["items"]]

    assert found("张") == [zhang.pk]
    assert found("138 0013 8000") == [zhang.pk]
    assert found("0139") == [li.pk]
    assert found(li.primary_email) == [li.pk]
    assert found("王五") == []
    assert sorted(found("")) == sorted([zhang.pk, li.pk])


def test_the_customer_list_pages(org, api):
    for i in range(5):
        make_customer(org, name=f"客户{i}")

    page = api(org.agent).get("/customers", {"page": 2, "page_size": 2}).json()

    assert (page["count"], page["page"], page["page_size"], len(page["items"])) == (5, 2, 2, 2)


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_customer_is_masked_by_role(org, api, role):
    customer = make_customer(org, name="吴", phone="13712345678")

    response = api(getattr(org, role)).get(f"/customers/{customer.pk}")

    if role == "backoffice":  # outside its scope: no case of this customer reached it
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "吴"
    assert body["masked"] is (role not in UNMASKED)
    assert body["phone"] == ("+8613712345678" if role in UNMASKED else "137****5678")
    listed = api(getattr(org, role)).get("/customers").json()["items"][0]
    assert listed["phone"] == body["phone"]


@pytest.mark.parametrize("role", ROLES)
def test_a_customers_cases_are_those_the_role_may_see(org, api, role):
    customer = make_customer(org)
    ours = make_case(org, customer=customer, subject="本组工单")
    theirs = make_case(org, customer=customer, subject="热线工单", by=org.other_agent)

    response = api(getattr(org, role)).get(f"/customers/{customer.pk}/cases")

    if role == "backoffice":  # outside its scope: no case of this customer reached it
        assert response.status_code == 404
        return
    assert response.status_code == 200
    expected = {
        "agent": [ours.pk],
        "supervisor": [ours.pk],
        "site_manager": [ours.pk],
        "backoffice": [],
        "admin": [theirs.pk, ours.pk],
        "other_agent": [theirs.pk],
    }[role]
    assert [c["id"] for c in response.json()["items"]] == expected
