"""New case for a phone, walk-in or on-site contact; finding or creating the customer."""

from __future__ import annotations

from kefu.cases.choices import CaseStatus
from kefu.cases.models import Case
from kefu.customers.models import Customer
from tests.factories import make_customer

HTMX = {"HX-Request": "true"}


def test_search_finds_customers_by_phone_name_or_email_as_you_type(org, as_user):
    li = make_customer(org, name="李四", phone="13800138000")
    make_customer(org, name="王五", phone="13900139000")
    client = as_user(org.agent)

    by_phone = client.get("/customers/search/", {"q": "138 0013"}, headers=HTMX)
    by_name = client.get("/customers/search/", {"q": "李"}, headers=HTMX)
    nothing = client.get("/customers/search/", {"q": "赵六"}, headers=HTMX)

    assert f'data-customer="{li.pk}"' in by_phone.content.decode()
    assert "王五" not in by_phone.content.decode()
    assert "138****8000" in by_phone.content.decode()
    assert f'data-customer="{li.pk}"' in by_name.content.decode()
    assert "没有找到“赵六”" in nothing.content.decode()


def test_create_a_customer_inline_and_choose_them(org, as_user):
    response = as_user(org.agent).post(
        "/customers/new/",
        {"newcustomer-name": "赵六", "newcustomer-phone": "136 0000 1111"},
        headers=HTMX,
    )

    customer = Customer.objects.get(name="赵六")
    assert customer.primary_phone == "+8613600001111"
    html = response.content.decode()
    assert f'name="customer" value="{customer.pk}"' in html
    assert "新客户已创建" in html


def test_creating_a_duplicate_customer_explains_and_creates_nothing(org, as_user):
    make_customer(org, name="李四", phone="13800138000")

    response = as_user(org.agent).post(
        "/customers/new/",
        {"newcustomer-name": "李四", "newcustomer-phone": "13800138000"},
        headers=HTMX,
    )

    assert response["HX-Retarget"] == "#new-customer-form"
    assert "已有客户使用这个电话或邮箱" in response.content.decode()
    assert Customer.objects.filter(name="李四").count() == 1


def test_submit_a_phone_complaint_and_land_on_the_case(org, as_user):
    customer = make_customer(org, name="李四")

    response = as_user(org.agent).post(
        "/cases/new/",
        {
            "customer": customer.pk,
            "kind": "complaint",
            "channel": "phone",
            "priority": 3,
            "subject": "话费多扣",
            "description": "要求退还50元",
            "product": "畅享套餐",
        },
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/"
    assert (case.kind.code, case.channel, case.priority, case.status) == (
        "complaint",
        "phone",
        3,
        CaseStatus.NEW,
    )
    assert (case.customer, case.team, case.created_by) == (customer, org.team, org.agent)
    assert case.number.startswith("TS-")


def test_a_case_needs_a_customer_and_a_subject(org, as_user):
    response = as_user(org.agent).post(
        "/cases/new/", {"kind": "inquiry", "channel": "phone", "priority": 2, "subject": ""}
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "请先查找并选择客户，或新建客户。" in html
    assert not Case.objects.exists()


def test_backoffice_cannot_open_cases_or_create_customers(org, as_user):
    customer = make_customer(org)
    client = as_user(org.backoffice)

    case_post = client.post(
        "/cases/new/",
        {
            "customer": customer.pk,
            "kind": "inquiry",
            "channel": "phone",
            "priority": 2,
            "subject": "x",
        },
    )
    customer_post = client.post(
        "/customers/new/", {"newcustomer-name": "赵六", "newcustomer-phone": "13600001111"}
    )

    assert (case_post.status_code, customer_post.status_code) == (403, 403)
    assert not Case.objects.exists()
    assert not Customer.objects.filter(name="赵六").exists()
