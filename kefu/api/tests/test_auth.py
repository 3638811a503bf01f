"""Token auth: issue, use, revoke; no token, no API; the actor always comes from the token."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.accounts.models import ApiToken
from kefu.api.tests.conftest import error_of
from kefu.cases.models import CaseEvent, CaseMessage
from tests.factories import make_case


def test_a_user_exchanges_username_and_password_for_a_working_token(org, api):
    # Given an anonymous client
    anon = api(None)

    # When the agent asks for a token
    response = anon.post("/auth/token", {"username": org.agent.username, "password": "kefu-test"})

    # Then a token comes back, is stored only as a digest, and opens the API
    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    assert len(token) >= 40
    row = ApiToken.objects.get(user=org.agent)
    assert row.digest == ApiToken.digest_of(token) != token
    me = anon.client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


@pytest.mark.parametrize(
    "role", ["agent", "supervisor", "site_manager", "backoffice", "admin", "other_agent"]
)
def test_every_role_gets_a_token_that_acts_as_that_user(org, api, role):
    user = getattr(org, role)
    anon = api(None)

    token = anon.post("/auth/token", {"username": user.username, "password": "kefu-test"})
    anon.headers["Authorization"] = f"Bearer {token.json()['token']}"
    revoked = anon.post("/auth/revoke")

    assert token.status_code == 200
    assert ApiToken.objects.get().user == user
    assert revoked.status_code == 204
    assert anon.get("/cases").status_code == 401


def test_a_wrong_password_is_401_and_issues_nothing(org, api):
    response = api(None).post("/auth/token", {"username": org.agent.username, "password": "x"})

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


def test_a_token_request_without_password_is_422_naming_the_field(org, api):
    response = api(None).post("/auth/token", {"username": org.agent.username})

    assert response.status_code == 422
    assert "password" in error_of(response)["fields"]
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Basic YWdlbnQ6a2VmdS10ZXN0", "Token abc"],
)
def test_every_endpoint_but_the_token_exchange_needs_a_valid_token(org, api, header):
    # Given a client with a missing, malformed or unknown token
    client = api(None)
    if header:
        client.headers["Authorization"] = header
    case = make_case(org)
    events = CaseEvent.objects.filter(case=case).count()

    # When it calls endpoints
    for method, path in [
        ("get", "/cases"),
        ("get", f"/cases/{case.pk}"),
        ("get", f"/cases/{case.pk}/events"),
        ("get", "/customers"),
        ("get", "/case-kinds"),
        ("get", "/users"),
        ("post", f"/cases/{case.pk}/accept"),
    ]:
        response = getattr(client, method)(path)

        # Then each is a 401 in the error shape, with a Bearer challenge
        assert response.status_code == 401, path
        assert error_of(response)["code"] == "unauthenticated"
        assert response["WWW-Authenticate"] == "Bearer"
    # ... and the POST changed nothing
    case.refresh_from_db()
    assert case.status == "new"
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_revoked_token_stops_working_and_other_tokens_keep_working(org, api):
    # Given two tokens of the same agent
    first, second = api(org.agent), api(org.agent)

    # When the first is revoked with POST /auth/revoke
    response = first.post("/auth/revoke")

    # Then it is refused from then on, while the second still works
    assert response.status_code == 204
    assert first.get("/cases").status_code == 401
    assert second.get("/cases").status_code == 200


def test_delete_auth_token_revokes_the_token_in_use(org, api):
    client = api(org.agent)

    assert client.delete("/auth/token").status_code == 204

    assert client.get("/cases").status_code == 401
    assert ApiToken.objects.get(user=org.agent).revoked_at is not None


def test_a_user_may_revoke_another_of_their_tokens_by_value_but_not_someone_elses(org, api):
    # Given two agents' clients, and a spare token of the first agent
    mine, spare, theirs = api(org.agent), api(org.agent), api(org.teammate)

    # When the agent revokes the teammate's token by value
    refused = mine.post("/auth/revoke", {"token": theirs.token})

    # Then it is refused and the teammate's token still works
    assert refused.status_code == 422
    assert theirs.get("/cases").status_code == 200

    # When the agent revokes their own spare token by value
    assert mine.post("/auth/revoke", {"token": spare.token}).status_code == 204

    # Then the spare stops working and the token in use does not
    assert spare.get("/cases").status_code == 401
    assert mine.get("/cases").status_code == 200


def test_the_actor_comes_from_the_token_never_from_the_payload(org, api):
    # Given a case and an agent's client
    case = make_case(org)
    client = api(org.agent)

    # When the payload claims to be someone else
    response = client.post(
        f"/cases/{case.pk}/messages",
        {
            "kind": "note",
            "body": "已核实账单",
            "author_user": org.admin.pk,
            "actor": {"kind": "staff", "id": org.admin.pk},
            "actor_id": org.admin.pk,
        },
    )
    accepted = client.post(f"/cases/{case.pk}/accept", {"actor_id": org.supervisor.pk})

    # Then the token's user is recorded as the actor
    assert response.status_code == 201
    assert response.json()["author"] == {"kind": "staff", "id": org.agent.pk, "name": "张坐席"}
    assert CaseMessage.objects.get(case=case).author_user == org.agent
    assert accepted.status_code == 200
    assert accepted.json()["accepted_by"]["id"] == org.agent.pk
    event = CaseEvent.objects.get(case=case, type="accepted")
    assert event.actor_user_id == org.agent.pk


def test_a_deactivated_user_token_stops_working(org, api):
    client = api(org.agent)
    org.agent.is_active = False
    org.agent.save()

    assert client.get("/cases").status_code == 401


def test_bearer_clients_need_no_csrf_token(org, api):
    # Given a client that enforces CSRF checks as the middleware does in production
    strict = Client(enforce_csrf_checks=True)
    case = make_case(org)

    # When it exchanges credentials and then takes a step with its bearer token
    token = strict.post(
        "/api/v1/auth/token",
        {"username": org.agent.username, "password": "kefu-test"},
        content_type="application/json",
    )
    accepted = strict.post(
        f"/api/v1/cases/{case.pk}/accept",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token.json()['token']}"},
    )

    # Then neither is refused for a missing CSRF token
    assert token.status_code == 200
    assert accepted.status_code == 200
