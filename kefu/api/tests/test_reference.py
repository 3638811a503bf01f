"""Reference data: case kinds, cause categories, teams, and staff to pick a handler."""

from __future__ import annotations

import pytest

from kefu.api.tests.conftest import error_of
from kefu.cases.models import CaseKind, CauseCategory

ROLES = ["agent", "supervisor", "site_manager", "backoffice", "admin", "other_agent"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_reference_data(org, api, role):
    client = api(getattr(org, role))

    kinds = client.get("/case-kinds").json()
    causes = client.get("/cause-categories").json()
    teams = client.get("/teams").json()
    users = client.get("/users", {"team": org.team.pk, "page_size": 100}).json()

    assert [k["code"] for k in kinds["items"]] == list(
        CaseKind.objects.filter(active=True).values_list("code", flat=True)
    )
    complaint = next(k for k in kinds["items"] if k["code"] == "complaint")
    assert (complaint["name_zh"], complaint["is_complaint"], complaint["workflow"]) == (
        "投诉",
        True,
        "complaint",
    )
    assert causes["count"] == CauseCategory.objects.filter(active=True).count()
    manner = next(c for c in causes["items"] if c["code"] == "service_manner")
    assert manner["is_work_quality"] is True
    ours = next(t for t in teams["items"] if t["id"] == org.team.pk)
    assert ours["supervisor"]["id"] == org.supervisor.pk
    assert ours["site"]["id"] == org.site.pk
    assert org.agent.pk in {u["id"] for u in users["items"]}


def test_names_follow_the_requested_language(org, api):
    client = api(org.agent)
    client.headers["Accept-Language"] = "en"

    kinds = client.get("/case-kinds").json()["items"]

    assert next(k for k in kinds if k["code"] == "complaint")["name"] == "Complaint"


def test_staff_to_pick_a_handler_filter_by_team_and_role(org, api):
    client = api(org.supervisor)

    team = client.get("/users", {"team": org.team.pk}).json()
    agents = client.get("/users", {"team": org.team.pk, "role": "agent"}).json()
    bad = client.get("/users", {"role": "boss"})

    assert {u["id"] for u in team["items"]} == {org.agent.pk, org.teammate.pk, org.supervisor.pk}
    assert {u["id"] for u in agents["items"]} == {org.agent.pk, org.teammate.pk}
    assert all(u["role"] == "agent" and u["team_id"] == org.team.pk for u in agents["items"])
    assert agents["count"] == 2
    assert bad.status_code == 422
    assert "role" in error_of(bad)["fields"]


def test_inactive_staff_are_not_offered(org, api):
    org.teammate.is_active = False
    org.teammate.save()

    users = api(org.agent).get("/users", {"team": org.team.pk}).json()["items"]

    assert org.teammate.pk not in {u["id"] for u in users}
