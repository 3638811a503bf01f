"""One endpoint per workflow step; illegal steps and stale versions are 409 and change nothing."""

from __future__ import annotations

import pytest

from kefu.api.tests.conftest import error_of
from kefu.cases.models import Case, CaseEvent
from kefu.cases.transitions import actions_from
from tests.factories import advance, make_case


def snapshot(case: Case) -> tuple[str, int, int, int | None]:
    case.refresh_from_db()
    return case.status, case.version, CaseEvent.objects.filter(case=case).count(), case.handler_id


@pytest.mark.parametrize(
    ("start", "step", "body", "status", "event"),
    [
        ("new", "accept", None, "accepted", "accepted"),
        ("accepted", "assign", "handler", "assigned", "assigned"),
        ("assigned", "contact", {"note": "已联系"}, "in_progress", "contacted"),
        (
            "in_progress",
            "await-customer",
            {"reason": "等客户提供账单"},
            "awaiting_customer",
            "awaiting_customer",
        ),
        ("awaiting_customer", "resume", {}, "in_progress", "resumed"),
        (
            "in_progress",
            "resolve",
            {"stance": "shared", "resolution": "退费30元"},
            "resolved",
            "resolved",
        ),
        (
            "resolved",
            "close",
            {"cause": "billing", "root_cause": "费率配置错误", "improvement_needed": False},
            "closed",
            "closed",
        ),
        ("closed", "reopen", {"reason": "客户不认可"}, "in_progress", "reopened"),
        ("assigned", "escalate", {"reason": "客户要求升级"}, "assigned", "escalated"),
        ("assigned", "transfer", "team", "accepted", "transferred"),
        ("accepted", "change-kind", {"kind": "inquiry"}, "accepted", "kind_changed"),
        (
            "closed",
            "return-visit",
            {"outcome": "unreachable", "note": "三次未接"},
            "closed",
            "return_visit_recorded",
        ),
    ],
)
def test_each_step_moves_the_case_and_records_the_event(org, api, start, step, body, status, event):
    # Given a complaint at the starting status, handled by the agent
    case = advance(org, make_case(org), start)
    if body == "handler":
        body = {"handler_id": org.teammate.pk}
    if body == "team":
        body = {"team_id": org.billing_team.pk}
    version = case.version

    # When the supervisor takes the step naming the version they read
    response = api(org.supervisor).post(
        f"/cases/{case.pk}/{step}", {**(body or {}), "version": version}
    )

    # Then the updated case comes back and the event is on the record with its actor
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["status"] == status
    assert result["version"] > version
    last = CaseEvent.objects.filter(case=case, type=event).latest("id")
    assert last.actor_user_id == org.supervisor.pk
    assert Case.objects.get(pk=case.pk).status == status


def test_steps_without_a_body_work(org, api):
    case = make_case(org)

    response = api(org.agent).post(f"/cases/{case.pk}/accept")

    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["accepted_by"]["id"] == org.agent.pk


def test_an_illegal_transition_is_409_naming_the_allowed_actions(org, api):
    # Given a new case
    case = make_case(org)
    before = snapshot(case)

    # When the agent tries to close it
    response = api(org.agent).post(
        f"/cases/{case.pk}/close",
        {"cause": "billing", "root_cause": "x", "improvement_needed": True},
    )

    # Then 409 names what is allowed, and only the refused attempt is recorded
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "transition_not_allowed"
    allowed = sorted(actions_from("complaint", "new"))
    assert "close" not in allowed
    assert error["allowed"] == allowed
    assert error["fields"]["allowed"] == ", ".join(allowed)
    assert "accept" in error["message"]
    status, version, events, handler = snapshot(case)
    assert (status, version, handler) == before[:2] + before[3:]
    refused = CaseEvent.objects.get(case=case, type="attempt_refused")
    assert refused.actor_user_id == org.agent.pk
    assert refused.data["action"] == "close"
    assert events == before[2] + 1


def test_a_stale_version_is_409_and_changes_nothing(org, api):
    # Given a case the agent read at version 1, then someone accepted it
    case = make_case(org)
    api(org.teammate).post(f"/cases/{case.pk}/accept")
    before = snapshot(case)

    # When the agent assigns it naming version 1
    response = api(org.agent).post(
        f"/cases/{case.pk}/assign", {"handler_id": org.agent.pk, "version": 1}
    )

    # Then 409 stale_version with the current version; nothing changed
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "stale_version"
    assert error["fields"] == {"version": "2"}
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("contact", {}),
        ("await-customer", {}),
        ("resume", {}),
        ("escalate", {}),
        ("reopen", {"reason": "x"}),
        ("change-kind", {"kind": "inquiry"}),
        ("return-visit", {"outcome": "satisfied"}),
    ],
)
def test_every_step_honours_the_version(org, api, step, body):
    case = advance(org, make_case(org), "assigned")
    before = snapshot(case)

    response = api(org.supervisor).post(f"/cases/{case.pk}/{step}", {**body, "version": 1})

    assert response.status_code == 409
    assert error_of(response)["code"] == "stale_version"
    assert snapshot(case) == before


def test_resolving_a_complaint_needs_a_stance(org, api):
    case = advance(org, make_case(org), "in_progress")
    before = snapshot(case)

    response = api(org.agent).post(f"/cases/{case.pk}/resolve", {"resolution": "已退费"})

    assert response.status_code == 422
    assert "stance" in error_of(response)["fields"]
    assert snapshot(case) == before


def test_closing_a_work_quality_complaint_needs_someone_responsible(org, api):
    case = advance(org, make_case(org), "resolved")
    client = api(org.supervisor)
    body = {"cause": "service_manner", "root_cause": "态度生硬", "improvement_needed": True}

    refused = client.post(f"/cases/{case.pk}/close", body)
    unknown = client.post(f"/cases/{case.pk}/close", {**body, "responsible_person_id": 987654})
    closed = client.post(
        f"/cases/{case.pk}/close",
        {
            **body,
            "responsible_person_id": org.agent.pk,
            "responsible_department_id": org.front.pk,
        },
    )

    assert refused.status_code == 422
    assert "responsible_person" in error_of(refused)["fields"]
    assert unknown.status_code == 422
    assert error_of(unknown)["fields"] == {"responsible_person_id": "unknown id"}
    assert closed.status_code == 200
    assert closed.json()["responsible_person"]["id"] == org.agent.pk
    assert closed.json()["responsible_department"]["id"] == org.front.pk


def test_a_not_satisfied_return_visit_reopens_the_complaint(org, api):
    case = advance(org, make_case(org), "closed")

    response = api(org.agent).post(
        f"/cases/{case.pk}/return-visit", {"outcome": "not_satisfied", "note": "仍有断网"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    types = list(CaseEvent.objects.filter(case=case).values_list("type", flat=True))
    assert types[-2:] == ["return_visit_recorded", "reopened"]


def test_a_second_return_visit_outcome_is_409(org, api):
    case = advance(org, make_case(org), "closed")
    client = api(org.agent)
    client.post(f"/cases/{case.pk}/return-visit", {"outcome": "satisfied"})
    before = snapshot(case)

    response = client.post(f"/cases/{case.pk}/return-visit", {"outcome": "unreachable"})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_escalation_climbs_to_the_supervisor_then_the_site_head(org, api):
    case = advance(org, make_case(org), "assigned")
    client = api(org.agent)

    first = client.post(f"/cases/{case.pk}/escalate", {"reason": "客户情绪激动"}).json()
    second = client.post(f"/cases/{case.pk}/escalate").json()
    top = client.post(f"/cases/{case.pk}/escalate")

    assert (first["escalation_level"], first["escalated_to"]["id"]) == (1, org.supervisor.pk)
    assert (second["escalation_level"], second["escalated_to"]["id"]) == (2, org.site_manager.pk)
    assert top.status_code == 409


def test_a_transfer_out_of_sight_still_answers_the_result(org, api):
    # Given a case assigned to the agent in their team
    case = advance(org, make_case(org), "assigned")

    # When the agent transfers it to the other site's team
    response = api(org.agent).post(f"/cases/{case.pk}/transfer", {"team_id": org.other_team.pk})

    # Then the result comes back (it was theirs to move) with no further actions offered
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["team"]["id"], body["handler"]) == (
        "accepted",
        org.other_team.pk,
        None,
    )


def test_an_unknown_team_or_kind_is_422(org, api):
    case = advance(org, make_case(org), "accepted")
    client = api(org.agent)
    before = snapshot(case)

    team = client.post(f"/cases/{case.pk}/transfer", {"team_id": 987654})
    kind = client.post(f"/cases/{case.pk}/change-kind", {"kind": "gripe"})
    outcome = client.post(f"/cases/{case.pk}/return-visit", {"outcome": "meh"})

    assert team.status_code == kind.status_code == outcome.status_code == 422
    assert error_of(team)["fields"] == {"team_id": "unknown id"}
    assert "kind" in error_of(kind)["fields"]
    assert "outcome" in error_of(outcome)["fields"]
    assert snapshot(case) == before
