"""Every endpoint for every role: allowed, forbidden (403), or hidden (404) — and a refused
call changes nothing.

The case: a complaint opened by the agent in their team. Its handler (once assigned) is the
agent. The back-office user and the other team's agent cannot see it.
"""

from __future__ import annotations

import pytest

from kefu.api.tests.conftest import error_of
from kefu.cases import actions
from kefu.cases.models import Attachment, Case, CaseEvent, CaseMessage
from tests.factories import advance, make_case

ROLES = ["agent", "teammate", "supervisor", "site_manager", "backoffice", "admin", "other_agent"]
HIDDEN = {"backoffice", "other_agent"}
SUPERVISING = {"supervisor", "site_manager", "admin"}

FRONT_OFFICE_STEP = {r: 200 for r in ROLES} | {r: 404 for r in HIDDEN}
HANDLER_STEP = FRONT_OFFICE_STEP | {"teammate": 403}

CLOSE = {"cause": "billing", "root_cause": "费率配置错误", "improvement_needed": True}
STEPS = [
    # step, status it starts from, body, expected answer per role
    ("accept", "new", {}, FRONT_OFFICE_STEP),
    ("assign", "accepted", {"handler_id": "agent"}, FRONT_OFFICE_STEP),
    ("change-kind", "accepted", {"kind": "inquiry"}, FRONT_OFFICE_STEP),
    ("return-visit", "closed", {"outcome": "satisfied"}, FRONT_OFFICE_STEP),
    ("contact", "assigned", {}, HANDLER_STEP),
    ("await-customer", "in_progress", {}, HANDLER_STEP),
    ("resume", "awaiting_customer", {}, HANDLER_STEP),
    ("resolve", "in_progress", {"stance": "ours", "resolution": "退费"}, HANDLER_STEP),
    ("close", "resolved", CLOSE, HANDLER_STEP),
    ("reopen", "closed", {"reason": "客户不认可"}, HANDLER_STEP),
    ("transfer", "assigned", {"team_id": "billing_team"}, HANDLER_STEP),
    ("escalate", "assigned", {}, FRONT_OFFICE_STEP),
]


def state(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.version,
        case.handler_id,
        case.team_id,
        case.kind_id,
        case.escalation_level,
        tuple(CaseEvent.objects.filter(case=case).values_list("type", flat=True)),
        CaseMessage.objects.filter(case=case).count(),
        Attachment.objects.filter(case=case).count(),
    )


def _resolve_ids(org, body: dict) -> dict:
    out = dict(body)
    if out.get("handler_id") == "agent":
        out["handler_id"] = org.agent.pk
    if out.get("team_id") == "billing_team":
        out["team_id"] = org.billing_team.pk
    return out


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("step", "start", "body", "expected"), STEPS, ids=[s[0] for s in STEPS])
def test_workflow_steps_by_role(org, api, role, step, start, body, expected):
    # Given the complaint at the step's starting status
    case = advance(org, make_case(org), start)
    before = state(case)

    # When the role takes the step
    response = api(getattr(org, role)).post(f"/cases/{case.pk}/{step}", _resolve_ids(org, body))

    # Then it is allowed, forbidden or hidden as the role rules say
    assert response.status_code == expected[role], response.json()
    if response.status_code == 200:
        assert state(case) != before
        last = CaseEvent.objects.filter(case=case, actor_kind="staff").latest("id")
        assert last.actor_user_id == getattr(org, role).pk
    else:
        # ... and a refused call changed nothing at all
        assert (
            error_of(response)["code"] == {403: "forbidden", 404: "not_found"}[response.status_code]
        )
        assert state(case) == before


READS = ["", "/events", "/messages", "/attachments"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", READS)
def test_reading_a_case_by_role(org, api, role, suffix):
    case = advance(org, make_case(org), "assigned")

    response = api(getattr(org, role)).get(f"/cases/{case.pk}{suffix}")

    if role in HIDDEN:
        # A case you may not see does not exist for you
        assert response.status_code == 404
        assert error_of(response) == {
            "code": "not_found",
            "message": "case not found",
            "fields": {},
        }
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_the_case_list_shows_only_visible_cases(org, api, role):
    case = make_case(org)

    response = api(getattr(org, role)).get("/cases")

    assert response.status_code == 200
    ids = [c["id"] for c in response.json()["items"]]
    assert ids == ([] if role in HIDDEN else [case.pk])


@pytest.mark.parametrize("role", ROLES)
def test_editing_and_adding_to_a_case_by_role(org, api, role):
    case = advance(org, make_case(org), "assigned")
    before = state(case)
    client = api(getattr(org, role))

    edited = client.patch(f"/cases/{case.pk}", {"version": case.version, "product": "宽带"})
    noted = client.post(f"/cases/{case.pk}/messages", {"kind": "note", "body": "已核实"})
    uploaded = client.upload(f"/cases/{case.pk}/attachments", {"file": _text_file()})

    if role in HIDDEN:
        assert (edited.status_code, noted.status_code, uploaded.status_code) == (404, 404, 404)
        assert state(case) == before
    else:
        assert (edited.status_code, noted.status_code, uploaded.status_code) == (200, 201, 201)


@pytest.mark.parametrize("role", ROLES)
def test_opening_a_case_by_role(org, api, role):
    client = api(getattr(org, role))
    before = Case.objects.count()

    response = client.post(
        "/cases",
        {
            "kind": "inquiry",
            "channel": "phone",
            "subject": "咨询",
            "customer": {"name": "孙", "phone": "13600001111"},
        },
    )

    if role == "backoffice":
        # Back-office staff do not register customer contacts
        assert response.status_code == 403
        assert Case.objects.count() == before
    else:
        assert response.status_code == 201
        assert Case.objects.count() == before + 1


def test_back_office_works_a_case_that_reaches_its_team_but_takes_no_front_office_step(org, api):
    # Given a case transferred to the back office's team, and another one assigned there
    new = make_case(org)
    actions.transfer_case(new.pk, actor=org.actor(org.supervisor), team=org.billing_team)
    assigned = advance(org, make_case(org), "assigned")
    actions.transfer_case(assigned.pk, actor=org.actor(org.supervisor), team=org.billing_team)
    actions.assign_case(assigned.pk, actor=org.actor(org.admin), handler=org.teammate)
    actions.mark_contacted(assigned.pk, actor=org.actor(org.admin))
    client = api(org.backoffice)
    before_new, before_assigned = state(new), state(assigned)

    # Then it sees both, may not accept, assign or change the kind, nor handle someone else's
    assert client.get(f"/cases/{new.pk}").status_code == 200
    assert client.post(f"/cases/{new.pk}/accept").status_code == 403
    assert client.post(f"/cases/{new.pk}/change-kind", {"kind": "inquiry"}).status_code == 403
    assert (
        client.post(
            f"/cases/{assigned.pk}/resolve", {"stance": "ours", "resolution": "x"}
        ).status_code
        == 403
    )
    assert state(new) == before_new
    assert state(assigned) == before_assigned

    # ... but may add a note and escalate
    assert (
        client.post(
            f"/cases/{assigned.pk}/messages", {"kind": "note", "body": "账单已核查"}
        ).status_code
        == 201
    )
    assert client.post(f"/cases/{assigned.pk}/escalate").status_code == 200


def test_a_handler_in_the_back_office_resolves_their_case(org, api):
    case = advance(org, make_case(org), "accepted")
    actions.transfer_case(case.pk, actor=org.actor(org.supervisor), team=org.billing_team)
    actions.assign_case(case.pk, actor=org.actor(org.admin), handler=org.backoffice)
    actions.mark_contacted(case.pk, actor=org.actor(org.backoffice))

    response = api(org.backoffice).post(
        f"/cases/{case.pk}/resolve", {"stance": "ours", "resolution": "账单已更正"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "resolved"


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("note.txt", "客户来电记录".encode(), content_type="text/plain")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
