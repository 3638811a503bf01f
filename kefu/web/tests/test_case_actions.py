"""The case page's workflow forms: each POST runs the action, or changes nothing."""

from __future__ import annotations

import pytest

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import CaseStatus, EventType
from kefu.cases.models import Case, CaseEvent, CaseMessage, ReturnVisit
from tests.factories import advance, make_case


def _post(client, case: Case, action: str, **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(f"/cases/{case.number}/do/{action}/", data)


def _reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _event_types(case: Case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("type", flat=True)
    )


def test_complaint_from_accept_to_return_visit(org, as_user):
    case = make_case(org)
    client = as_user(org.agent)

    assert _post(client, case, "accept", version=1).status_code == 302
    assert _post(client, case, "assign", version=2, handler=org.agent.pk).status_code == 302
    assert _post(client, case, "contact", version=3, note="已致电客户").status_code == 302
    response = _post(client, case, "resolve", version=4, stance="ours", resolution="退还50元")
    assert response.status_code == 302
    response = _post(
        client,
        case,
        "close",
        version=5,
        cause="billing",
        root_cause="计费规则配置错误",
        improvement_needed="yes",
        confirm="on",
    )
    assert response.status_code == 302
    response = client.post(
        f"/cases/{case.number}/do/record_return_visit/",
        {"record_return_visit-outcome": "satisfied", "record_return_visit-note": "客户满意"},
    )
    assert response.status_code == 302

    case = _reload(case)
    assert case.status == CaseStatus.CLOSED
    assert case.handler == org.agent
    assert (case.stance, case.resolution) == ("ours", "退还50元")
    assert case.cause is not None
    assert (case.cause.code, case.root_cause, case.improvement_needed) == (
        "billing",
        "计费规则配置错误",
        True,
    )
    visit = ReturnVisit.objects.get(case=case)
    assert (visit.outcome, visit.note, visit.recorded_by) == ("satisfied", "客户满意", org.agent)
    assert _event_types(case) == [
        EventType.CREATED,
        EventType.ACCEPTED,
        EventType.ASSIGNED,
        EventType.CONTACTED,
        EventType.RESOLVED,
        EventType.CLOSED,
        EventType.RETURN_VISIT_SCHEDULED,
        EventType.RETURN_VISIT_RECORDED,
    ]
    page = client.get(f"/cases/{case.number}/").content.decode()
    for text in (
        "创建工单",
        "受理",
        "派单给 张坐席",
        "已联系客户",
        "解决",
        "结案",
        "计费规则配置错误",
    ):
        assert text in page


def test_the_buttons_are_those_the_transition_table_allows(org, as_user):
    case = advance(org, make_case(org), "assigned")

    page = as_user(org.agent).get(f"/cases/{case.number}/").content.decode()

    for action in ("assign", "contact", "escalate", "transfer", "change_kind"):
        assert f'data-action="{action}"' in page
    for action in ("accept", "resolve", "close", "reopen"):
        assert f'data-action="{action}"' not in page


def test_a_stale_version_changes_nothing_and_says_so(org, as_user):
    case = make_case(org)
    actions.accept_case(case.pk, actor=Actor.staff(org.teammate))  # someone else, meanwhile

    response = _post(as_user(org.agent), case, "assign", version=1, handler=org.agent.pk)

    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="stale-banner"' in body
    assert "此工单已被他人修改" in body
    fresh = _reload(case)
    assert (fresh.status, fresh.handler_id, fresh.version) == (CaseStatus.ACCEPTED, None, 2)


def test_a_stale_version_keeps_what_the_user_typed_for_a_deliberate_resend(org, as_user):
    case = advance(org, make_case(org), "in_progress")
    typed = "已核实多扣50元，今日退还并致歉"
    actions.escalate_case(case.pk, actor=Actor.staff(org.teammate), reason="客户再次来电")
    fresh_version = _reload(case).version
    client = as_user(org.agent)

    response = _post(client, case, "resolve", version=case.version, stance="ours", resolution=typed)

    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="stale-banner"' in body
    assert typed in body  # the text is back in the open form, not lost
    assert f'name="resolve-version" value="{fresh_version}"' in body
    assert _reload(case).status == CaseStatus.IN_PROGRESS  # nothing applied
    resend = _post(client, case, "resolve", version=fresh_version, stance="ours", resolution=typed)
    assert resend.status_code == 302
    assert _reload(case).resolution == typed


def test_resolving_a_complaint_needs_the_stance(org, as_user):
    case = advance(org, make_case(org), "in_progress")

    response = _post(as_user(org.agent), case, "resolve", version=case.version, resolution="已处理")

    assert response.status_code == 422
    assert "这个字段是必填项。" in response.content.decode()
    assert _reload(case).status == CaseStatus.IN_PROGRESS


def test_closing_needs_an_explicit_confirmation(org, as_user):
    case = advance(org, make_case(org), "resolved")

    response = _post(
        as_user(org.agent),
        case,
        "close",
        version=case.version,
        cause="billing",
        root_cause="配置错误",
        improvement_needed="no",
    )

    assert response.status_code == 422
    assert "data-open" in response.content.decode()
    assert _reload(case).status == CaseStatus.RESOLVED


def test_closing_a_work_quality_complaint_names_who_was_responsible(org, as_user):
    case = advance(org, make_case(org), "resolved")

    response = _post(
        as_user(org.agent),
        case,
        "close",
        version=case.version,
        cause="service_manner",
        root_cause="营业员拒绝解释",
        improvement_needed="yes",
        confirm="on",
    )

    assert response.status_code == 422
    assert _reload(case).status == CaseStatus.RESOLVED


def test_escalate_transfer_and_change_kind(org, as_user):
    case = advance(org, make_case(org, kind="inquiry"), "accepted")
    client = as_user(org.agent)

    assert _post(client, case, "escalate", version=2, reason="客户要求主管").status_code == 302
    assert _post(client, case, "change_kind", version=3, kind="complaint").status_code == 302
    response = _post(client, case, "transfer", version=4, team=org.billing_team.pk, reason="计费")
    assert response.status_code == 302

    case = _reload(case)
    assert (case.escalation_level, case.escalated_to) == (1, org.supervisor)
    assert (case.kind.code, case.is_complaint) == ("complaint", True)
    assert case.team == org.billing_team


def test_an_unknown_action_is_not_found(org, as_user):
    case = make_case(org)

    assert _post(as_user(org.agent), case, "delete", version=1).status_code == 404


@pytest.mark.parametrize("role", ["other_agent", "backoffice"])
def test_a_user_who_cannot_see_the_case_changes_nothing(org, as_user, role):
    case = make_case(org)
    client = as_user(getattr(org, role))

    responses = [
        _post(client, case, "accept", version=1),
        client.post(f"/cases/{case.number}/messages/", {"msg-kind": "note", "msg-body": "x"}),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    fresh = _reload(case)
    assert (fresh.status, fresh.version) == (CaseStatus.NEW, 1)
    assert _event_types(case) == [EventType.CREATED]
    assert not CaseMessage.objects.filter(case=case).exists()


def test_a_role_that_may_not_take_the_step_gets_403_and_nothing_changes(org, as_user):
    case = actions.open_case(
        actor=Actor.staff(org.agent),
        kind="complaint",
        channel="phone",
        subject="账单有误",
        customer=make_case(org).customer,
        team=org.billing_team,
    )

    response = _post(as_user(org.backoffice), case, "accept", version=1)

    assert response.status_code == 403
    assert "您的角色不能执行此操作" in response.content.decode()
    fresh = _reload(case)
    assert (fresh.status, fresh.version) == (CaseStatus.NEW, 1)
    assert _event_types(case) == [EventType.CREATED]


def test_actions_need_post_and_csrf(org, client):
    case = make_case(org)
    client.force_login(org.agent)
    assert client.get(f"/cases/{case.number}/do/accept/").status_code == 405

    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(org.agent)
    response = strict.post(f"/cases/{case.number}/do/accept/", {"accept-version": 1})

    assert response.status_code == 403
    assert _reload(case).status == CaseStatus.NEW


def test_edit_the_case_details_with_its_version(org, as_user):
    case = make_case(org)
    client = as_user(org.agent)

    response = _post(
        client,
        case,
        "edit",
        version=1,
        subject="话费多扣了80元",
        priority=4,
        description="客户补充：上月也多扣",
        product="畅享套餐",
    )
    stale = _post(
        client, case, "edit", version=1, subject="旧页面的主题", priority=2, description=""
    )

    assert (response.status_code, stale.status_code) == (302, 409)
    case = _reload(case)
    assert (case.subject, case.priority, case.product, case.version) == (
        "话费多扣了80元",
        4,
        "畅享套餐",
        2,
    )
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "普通 → 紧急" in page and "修改工单信息" in page
