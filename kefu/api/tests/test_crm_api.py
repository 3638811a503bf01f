"""The crm and customer-profile API: grades with reasons, churn list, needs, contacts and the
decision chain, consents, consumption, reveal, imports — masked and scoped by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.actors import Actor
from kefu.api.tests.conftest import error_of
from kefu.core import clock
from kefu.crm.actions import assess_churn, recompute_grades
from kefu.crm.models import CrmSettings
from kefu.customers.actions import create_customer, record_consumption
from kefu.customers.models import CustomerEvent, CustomerKind
from tests.factories import Org, make_case, make_customer


@pytest.fixture
def tasks_inline():
    """Run huey tasks inline also when the suite runs on Redis."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved


@pytest.fixture
def spender(org: Org):
    customer = make_customer(org, "张三", phone="13812341234")
    today = clock.today()
    for days_ago, amount in ((150, 900), (100, 800)):
        record_consumption(
            actor=Actor.system("t"),
            customer_id=customer.pk,
            occurred_on=today - dt.timedelta(days=days_ago),
            product="宽带",
            amount=amount,
        )
    CrmSettings.objects.filter(pk=1).update(churn_threshold=30)
    recompute_grades(actor=Actor.system("rfm"))
    assess_churn(actor=Actor.system("churn"))
    return customer


def test_grades_rfm_and_churn(org: Org, api, spender) -> None:
    manager = api(org.site_manager)
    page = manager.get("/crm/grades").json()
    assert page["count"] == 1 and page["items"][0]["reasons"][0].startswith("R=")
    rfm = manager.get(f"/crm/customers/{spender.pk}/rfm").json()
    assert rfm["grade"]["frequency"] == 2
    churn = manager.get("/crm/churn").json()
    assert churn["items"][0]["customer_id"] == spender.pk and churn["items"][0]["reasons"]
    assert manager.get("/crm/tiers").json()[0]["code"] == "vip"
    assert manager.get("/crm/grades", {"q": "张三"}).json()["count"] == 1
    assert manager.get("/crm/grades", {"q": "王五"}).json()["count"] == 0
    assert error_of(api(org.agent).get("/crm/grades"))["code"] == "forbidden"
    assert manager.post("/crm/grades/recompute").status_code == 202


def test_a_churn_follow_up_is_given_to_someone_and_done(org: Org, api, spender) -> None:
    manager = api(org.site_manager)
    task_id = manager.get("/crm/churn").json()["items"][0]["follow_up_id"]
    refused = api(org.agent).post(
        f"/crm/follow-ups/{task_id}/assign", {"assignee_id": org.agent.pk}
    )
    assert error_of(refused)["code"] == "forbidden"
    nobody = manager.post(f"/crm/follow-ups/{task_id}/assign", {"assignee_id": 0})
    assert nobody.status_code == 422 and "assignee_id" in nobody.json()["error"]["fields"]
    given = manager.post(f"/crm/follow-ups/{task_id}/assign", {"assignee_id": org.agent.pk})
    assert given.status_code == 200 and given.json() == {"status": "assigned"}
    done = api(org.agent).post(f"/crm/follow-ups/{task_id}/done", {"note": "已回电"})
    assert done.status_code == 200
    again = manager.post(f"/crm/follow-ups/{task_id}/assign", {"assignee_id": org.agent.pk})
    assert error_of(again)["code"] == "conflict"


def test_needs(org: Org, api, spender) -> None:
    case = make_case(org, customer=spender)
    agent = api(org.agent)
    created = agent.post(
        f"/crm/customers/{spender.pk}/needs",
        {
            "category": "price",
            "title": "续约优惠",
            "importance": 5,
            "urgency": 5,
            "feasibility": 5,
            "days_to_fulfil": 0,
            "case_numbers": [case.number],
        },
    )
    assert created.status_code == 201
    need = created.json()
    assert (need["priority"], need["case_numbers"]) == (100.0, [case.number])
    edited = agent.patch(f"/crm/needs/{need['id']}", {"status": "planned", "urgency": 1})
    assert edited.json()["status"] == "planned" and edited.json()["priority"] < 100
    bad = agent.post(
        f"/crm/customers/{spender.pk}/needs",
        {
            "category": "price",
            "title": "x",
            "importance": 9,
            "urgency": 1,
            "feasibility": 1,
            "days_to_fulfil": 1,
        },
    )
    assert bad.status_code == 422


def test_contacts_consents_consumption_reveal(org: Org, api) -> None:
    company = create_customer(
        actor=Actor.staff(org.agent), name="华北电力", kind=CustomerKind.ORGANISATION
    )
    agent = api(org.agent)
    boss = agent.post(
        f"/customers/{company.pk}/contacts",
        {"name": "钱总", "phone": "13900001111", "role": "decision_maker"},
    ).json()
    assert (boss["role"], boss["phone"]) == ("decision_maker", "139****1111")
    user = agent.post(f"/customers/{company.pk}/contacts", {"name": "赵工"}).json()
    agent.client.put(
        f"/api/v1/customers/{company.pk}/contacts/{user['id']}/role",
        '{"role": "user"}',
        content_type="application/json",
        headers=agent.headers,
    )
    chain = agent.get(f"/customers/{company.pk}/contacts").json()
    assert [(c["name"], c["role"]) for c in chain["items"]] == [
        ("钱总", "decision_maker"),
        ("赵工", "user"),
    ]
    assert chain["count"] == 2
    second = agent.get(f"/customers/{company.pk}/contacts?page=2&page_size=1").json()
    assert [c["name"] for c in second["items"]] == ["赵工"]
    consents = agent.post(
        f"/customers/{boss['id']}/consents",
        {"purpose": "survey", "granted": True, "method": "phone"},
    ).json()
    survey = next(c for c in consents if c["purpose"] == "survey")
    assert survey["granted"] and survey["may_contact"]
    record = agent.post(
        f"/customers/{boss['id']}/consumption",
        {"occurred_on": "2026-01-05", "product": "专线", "amount": "1999.00", "external_id": "O1"},
    )
    again = agent.post(
        f"/customers/{boss['id']}/consumption",
        {"occurred_on": "2026-01-05", "product": "专线", "amount": "1999.00", "external_id": "O1"},
    )
    assert record.json()["id"] == again.json()["id"]
    assert agent.get(f"/customers/{boss['id']}/consumption").json()["count"] == 1
    assert (
        agent.post(f"/customers/{boss['id']}/reveal", {"field": "phone", "reason": ""}).status_code
        == 422
    )
    shown = agent.post(f"/customers/{boss['id']}/reveal", {"field": "phone", "reason": "回拨核实"})
    assert shown.json()["value"] == "+8613900001111"
    assert CustomerEvent.objects.filter(type="revealed").count() == 1
    profile = api(org.supervisor).patch(
        f"/customers/{boss['id']}/profile",
        {
            "id_number": "110101198005040011",
            "account_manager_id": org.site_manager.pk,
            "tags": ["大客户"],
        },
    )
    assert profile.json()["tags"] == ["大客户"]
    assert agent.get(f"/customers/{boss['id']}/profile").json()["id_number"] == "110***********0011"
    assert (
        error_of(
            agent.patch(f"/customers/{boss['id']}/profile", {"account_manager_id": org.agent.pk})
        )["code"]
        == "forbidden"
    )


def test_imports(
    org: Org, api, settings, tmp_path, django_capture_on_commit_callbacks, tasks_inline
) -> None:
    settings.MEDIA_ROOT = tmp_path
    manager = api(org.site_manager)
    content = "姓名,手机\n李四,13900001111\n坏行,12\n".encode("gbk")
    with django_capture_on_commit_callbacks(execute=True):
        created = manager.client.post(
            "/api/v1/crm/imports?kind=customers&start=true",
            {"file": SimpleUploadedFile("c.csv", content)},
            headers=manager.headers,
        )
    assert created.status_code == 201, created.content
    job = manager.get(f"/crm/imports/{created.json()['id']}").json()
    assert (job["state"], job["created"], job["error_rows"], job["encoding"]) == (
        "done",
        1,
        1,
        "gb18030",
    )
    errors = manager.get(f"/crm/imports/{job['id']}/errors").json()
    assert errors["items"] == [
        {"row": 3, "field": "phone", "problem": "not a valid phone", "value": "12"}
    ]
    assert error_of(api(org.agent).get(f"/crm/imports/{job['id']}"))["code"] == "forbidden"


@pytest.mark.parametrize(
    "role", ["agent", "supervisor", "site_manager", "backoffice", "admin", "other_agent"]
)
def test_profile_and_contacts_are_masked_by_role(org: Org, api, role: str) -> None:
    company = create_customer(
        actor=Actor.staff(org.agent), name="华北电力", kind=CustomerKind.ORGANISATION
    )
    api(org.agent).post(
        f"/customers/{company.pk}/contacts",
        {"name": "钱总", "phone": "13900001111", "role": "decision_maker"},
    )
    response = api(getattr(org, role)).get(f"/customers/{company.pk}/contacts")
    if role == "backoffice":
        assert response.status_code == 404
        return
    phone = response.json()["items"][0]["phone"]
    assert phone == (
        "+8613900001111" if role in {"supervisor", "site_manager", "admin"} else "139****1111"
    )


def test_a_need_names_only_the_source_cases_the_caller_may_see(org: Org, api, spender) -> None:
    from kefu.crm.actions import record_need

    ours = make_case(org, customer=spender)
    theirs = make_case(org, customer=spender, by=org.other_agent)
    need = record_need(
        actor=Actor.system("t"),
        customer_id=spender.pk,
        category="service",
        title="上门时间要准",
        importance=4,
        urgency=4,
        feasibility=4,
        days_to_fulfil=3,
        case_ids=[ours.pk, theirs.pk],
    )

    def sources(user) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
        (listed,) = api(user).get(f"/crm/customers/{spender.pk}/needs").json()
        return listed["case_numbers"], listed["other_cases"]

    assert sources(org.agent) == ([ours.number], 1)
    assert sources(org.other_agent) == ([theirs.number], 1)
    assert sources(org.admin) == ([ours.number, theirs.number], 0)
    edited = api(org.other_agent).patch(f"/crm/needs/{need.pk}", {"urgency": 2}).json()
    assert (edited["case_numbers"], edited["other_cases"]) == ([theirs.number], 1)
