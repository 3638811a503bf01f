"""Cases: open, list with filters and pages, read (masked by role), edit with a version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kefu.api.tests.conftest import error_of
from kefu.cases import actions, selectors
from kefu.cases.models import Case, CaseEvent
from kefu.core import clock
from kefu.customers.models import Customer
from tests.factories import advance, make_case, make_customer


def test_opening_a_case_for_a_new_customer_creates_both(org, api):
    # When an agent opens a complaint for a phone number nobody has
    response = api(org.agent).post(
        "/cases",
        {
            "kind": "complaint",
            "channel": "phone",
            "subject": "话费多扣了50元",
            "description": "要求退还",
            "customer": {"name": "王女士", "phone": "139 1234 5678", "email": "wang@example.cn"},
            "priority": 3,
            "product": "宽带套餐",
            "tags": ["计费", " ", "退费"],
        },
    )

    # Then 201 with the numbered case, in the agent's team, for the new customer
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["number"] == case.number
    assert case.number.startswith(f"TS-{timezone.localtime(clock.now()).year}-")
    assert (body["kind"], body["channel"], body["priority"], body["status"]) == (
        "complaint",
        "phone",
        3,
        "new",
    )
    assert body["tags"] == ["计费", "退费"]
    assert body["product"] == "宽带套餐"
    assert body["team"] == {"id": org.team.pk, "code": org.team.code, "name": "投诉处理组"}
    assert body["created_by"]["id"] == org.agent.pk
    customer = Customer.objects.get(pk=body["customer"]["id"])
    assert (customer.name, customer.primary_phone) == ("王女士", "+8613912345678")


def test_opening_a_case_finds_the_customer_by_phone(org, api):
    # Given a customer known by their mobile number
    known = make_customer(org, name="张三", phone="13800138000")

    # When a case names the same number in another format
    response = api(org.agent).post(
        "/cases",
        {
            "kind": "inquiry",
            "channel": "wechat",
            "subject": "套餐咨询",
            "customer": {"name": "张先生", "phone": "+86 138-0013-8000"},
        },
    )

    # Then it is that customer's case and no new customer exists
    assert response.status_code == 201
    assert response.json()["customer"]["id"] == known.pk
    assert Customer.objects.count() == 1


def test_opening_a_case_for_an_existing_customer_id_and_a_chosen_team(org, api):
    customer = make_customer(org)

    response = api(org.supervisor).post(
        "/cases",
        {
            "kind": "repair_request",
            "channel": "walk_in",
            "subject": "光猫故障",
            "customer_id": customer.pk,
            "team_id": org.other_team.pk,
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["customer"]["id"] == customer.pk
    assert body["team"]["id"] == org.other_team.pk
    assert body["number"].startswith("BX-")
    # the supervisor created it, so still sees it although it is another team's
    assert body["allowed_actions"][0] == "accept"


def _cases_for_filters(org):
    """Five cases that differ in one dimension each."""
    base = make_case(org, subject="基准工单")
    inquiry = make_case(org, kind="inquiry", subject="咨询工单", channel="email")
    urgent = make_case(org, subject="紧急工单")
    actions.edit_case(urgent.pk, actor=org.actor(org.agent), version=1, priority=4)
    assigned = advance(org, make_case(org, subject="已派工单"), "assigned")
    other_customer = make_customer(org, name="李四")
    theirs = make_case(org, subject="李四的工单", customer=other_customer)
    return base, inquiry, urgent, assigned, theirs


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"基准工单", "咨询工单", "紧急工单", "已派工单", "李四的工单"}),
        ({"status": "assigned"}, {"已派工单"}),
        (
            {"status": "assigned,new"},
            {"基准工单", "咨询工单", "紧急工单", "已派工单", "李四的工单"},
        ),
        ({"kind": "inquiry"}, {"咨询工单"}),
        ({"channel": "email"}, {"咨询工单"}),
        ({"priority": "4"}, {"紧急工单"}),
        ({"priority": "3,4"}, {"紧急工单"}),
        ({"handler": "me"}, {"已派工单"}),
        ({"open_only": "true", "kind": "inquiry"}, {"咨询工单"}),
    ],
)
def test_the_case_list_filters(org, api, params, expected):
    _cases_for_filters(org)

    response = api(org.agent).get("/cases", params)

    assert response.status_code == 200
    assert {c["subject"] for c in response.json()["items"]} == expected
    assert response.json()["count"] == len(expected)


def test_the_case_list_filters_by_team_handler_customer_and_repeated_status(org, api):
    theirs = _cases_for_filters(org)[-1]
    client = api(org.supervisor)

    def subjects(params):
        response = client.get("/cases", params)
        assert response.status_code == 200, response.json()
        return {c["subject"] for c in response.json()["items"]}

    assert subjects({"handler": str(org.agent.pk)}) == {"已派工单"}
    assert subjects({"customer": str(theirs.customer_id)}) == {"李四的工单"}
    assert subjects({"team": str(org.other_team.pk)}) == set()
    assert len(subjects({"team": str(org.team.pk)})) == 5
    assert subjects({"status": ["assigned", "accepted"]}) == {"已派工单"}


def test_the_case_list_filters_by_creation_date(org, api):
    # Given cases created on three days
    tz = timezone.get_current_timezone()
    for day, subject in [(1, "一号"), (2, "二号"), (3, "三号")]:
        with clock.frozen_at(dt.datetime(2026, 3, day, 10, 0, tzinfo=tz)):
            make_case(org, subject=subject)

    # When the list asks for the 2nd to the 3rd
    response = api(org.agent).get(
        "/cases", {"created_from": "2026-03-02", "created_to": "2026-03-03", "sort": "oldest"}
    )

    # Then only those, oldest first
    assert [c["subject"] for c in response.json()["items"]] == ["二号", "三号"]


def test_the_case_list_pages_and_sorts(org, api):
    # Given 7 cases created a minute apart
    tz = timezone.get_current_timezone()
    for i in range(7):
        with clock.frozen_at(dt.datetime(2026, 3, 1, 10, i, tzinfo=tz)):
            make_case(org, subject=f"工单{i}")
    client = api(org.agent)

    # When the newest are read three at a time
    first = client.get("/cases", {"sort": "newest", "page_size": 3}).json()
    third = client.get("/cases", {"sort": "newest", "page_size": 3, "page": 3}).json()
    past = client.get("/cases", {"sort": "newest", "page_size": 3, "page": 4}).json()

    # Then pages hold the right rows and every page reports the total
    assert [c["subject"] for c in first["items"]] == ["工单6", "工单5", "工单4"]
    assert (first["count"], first["page"], first["page_size"]) == (7, 1, 3)
    assert [c["subject"] for c in third["items"]] == ["工单0"]
    assert past["items"] == [] and past["count"] == 7


def test_complaints_come_first_in_the_default_queue_order(org, api):
    tz = timezone.get_current_timezone()
    with clock.frozen_at(dt.datetime(2026, 3, 1, 9, 0, tzinfo=tz)):
        make_case(org, kind="inquiry", subject="早的咨询")
    with clock.frozen_at(dt.datetime(2026, 3, 1, 10, 0, tzinfo=tz)):
        make_case(org, subject="晚的投诉")

    items = api(org.agent).get("/cases").json()["items"]

    assert [c["subject"] for c in items] == ["晚的投诉", "早的咨询"]


@pytest.mark.parametrize(
    ("role", "masked"),
    [
        ("agent", True),
        ("teammate", True),
        ("supervisor", False),
        ("site_manager", False),
        ("admin", False),
    ],
)
def test_the_customer_phone_is_masked_for_roles_without_personal_data(org, api, role, masked):
    # Given a case of a customer with a mobile number and an email
    customer = make_customer(org, name="赵六", phone="13912345678")
    case = make_case(org, customer=customer)
    client = api(getattr(org, role))

    # When the case is read, alone and in the list
    detail = client.get(f"/cases/{case.pk}").json()["customer"]
    listed = client.get("/cases").json()["items"][0]["customer"]

    # Then the phone is masked exactly when the role may not see personal data
    expected_phone = "139****5678" if masked else "+8613912345678"
    assert detail["phone"] == listed["phone"] == expected_phone
    assert detail["masked"] is listed["masked"] is masked
    assert detail["email"].startswith("c***@") is masked
    assert detail["name"] == "赵六"


def test_the_case_detail_has_version_allowed_actions_and_improvement_fields(org, api):
    case = advance(org, make_case(org), "closed")

    body = api(org.supervisor).get(f"/cases/{case.pk}").json()

    assert body["version"] == case.version == 6  # created + five steps
    assert body["status"] == "closed"
    assert body["allowed_actions"] == selectors.allowed_actions(org.supervisor, case)
    assert {"reopen", "record_return_visit"} <= set(body["allowed_actions"])
    assert (body["cause"], body["root_cause"], body["improvement_needed"]) == (
        "billing",
        "计费规则配置错误",
        True,
    )
    assert body["stance"] == "ours"
    assert body["handler"]["id"] == org.agent.pk
    assert body["site"]["id"] == org.site.pk
    assert [v["outcome"] for v in body["return_visits"]] == [""]


def test_editing_a_case_with_the_current_version_changes_it_and_records_the_change(org, api):
    case = make_case(org)
    client = api(org.agent)

    response = client.patch(
        f"/cases/{case.pk}",
        {
            "version": 1,
            "subject": "话费多扣了80元",
            "priority": 4,
            "tags": ["升级"],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["subject"], body["priority"], body["tags"], body["version"]) == (
        "话费多扣了80元",
        4,
        ["升级"],
        2,
    )
    event = CaseEvent.objects.filter(case=case, type="fields_changed").get()
    assert event.actor_user_id == org.agent.pk
    assert event.data["before"] == {"subject": "话费多扣了50元", "priority": 2, "tags": []}
    assert event.data["after"] == {"subject": "话费多扣了80元", "priority": 4, "tags": ["升级"]}


def test_editing_with_a_stale_version_is_409_and_changes_nothing(org, api):
    case = make_case(org)
    actions.edit_case(case.pk, actor=org.actor(org.teammate), version=1, product="宽带")

    response = api(org.agent).patch(f"/cases/{case.pk}", {"version": 1, "subject": "新主题"})

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "stale_version"
    assert error["fields"] == {"version": "2"}
    case.refresh_from_db()
    assert (case.subject, case.version) == ("话费多扣了50元", 2)
    assert CaseEvent.objects.filter(case=case, type="fields_changed").count() == 1


def test_editing_needs_the_version(org, api):
    case = make_case(org)

    response = api(org.agent).patch(f"/cases/{case.pk}", {"subject": "新主题"})

    assert response.status_code == 422
    assert "version" in error_of(response)["fields"]
    case.refresh_from_db()
    assert case.subject == "话费多扣了50元"


def test_editing_fields_that_are_not_editable_is_refused(org, api):
    case = make_case(org)

    only_status = api(org.agent).patch(f"/cases/{case.pk}", {"version": 1, "status": "closed"})
    empty_subject = api(org.agent).patch(f"/cases/{case.pk}", {"version": 1, "subject": " "})

    assert only_status.status_code == 422
    assert empty_subject.status_code == 422
    assert error_of(empty_subject)["fields"] == {"subject": "required"}
    case.refresh_from_db()
    assert (case.status, case.version) == ("new", 1)


def test_the_timeline_is_oldest_first_with_actor_and_before_after(org, api):
    # Given a case accepted by the agent, then assigned by the supervisor
    case = make_case(org)
    actions.accept_case(case.pk, actor=org.actor(org.agent))
    actions.assign_case(case.pk, actor=org.actor(org.supervisor), handler=org.teammate)

    events = api(org.agent).get(f"/cases/{case.pk}/events").json()

    assert events["count"] == 3
    created, accepted, assigned = events["items"]
    assert created["type"] == "created"
    assert created["after"]["number"] == case.number
    assert accepted["actor"] == {"kind": "staff", "id": org.agent.pk, "name": "张坐席"}
    assert assigned["actor"] == {"kind": "staff", "id": org.supervisor.pk, "name": "王班长"}
    assert assigned["before"] == {"status": "accepted", "handler": None}
    assert assigned["after"] == {"status": "assigned", "handler": org.teammate.pk}
    assert assigned["data"]["handler_name"] == org.teammate.label
    assert created["at"] <= accepted["at"] <= assigned["at"]


def test_the_case_list_sorts_by_the_tightest_time_standard(org, api):
    from kefu.cases.models import CaseClock

    first, second = make_case(org, subject="先建"), make_case(org, subject="后建")
    running = CaseClock.objects.filter(stopped_at__isnull=True)
    running.filter(case=first).update(due_at=clock.now() + dt.timedelta(hours=5))
    running.filter(case=second).update(due_at=clock.now() + dt.timedelta(hours=1))
    listed = api(org.supervisor).get("/cases", {"sort": "due"}).json()["items"]
    assert [c["number"] for c in listed[:2]] == [second.number, first.number]
