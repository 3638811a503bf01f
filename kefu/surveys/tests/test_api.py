"""The surveys API: design, distribution, responses, scores, and the token-only public
endpoints; every JSON answer checked against the OpenAPI document."""

from __future__ import annotations

import copy

import pytest
from django.test import Client

from kefu.api.tests.conftest import Api
from kefu.surveys.models import Invitation, Survey
from kefu.surveys.shipped import CSAT
from kefu.surveys.tests.conftest import consenting_customer
from tests.factories import Org

pytestmark = pytest.mark.usefixtures("shipped")


def test_design_publish_and_send_through_the_api(org: Org) -> None:
    api = Api(org.site_manager)
    created = api.post(
        "/surveys",
        {"code": "api-csat", "title_zh": "接口问卷", "purpose": "csat", "definition": CSAT},
    )
    assert created.status_code == 201, created.json()
    survey = created.json()
    assert (survey["current_version"], survey["draft_version"]) == (None, 1)
    customer = consenting_customer(org)
    skipped = api.post(f"/surveys/{survey['id']}/invitations", {"customer_id": customer.pk})
    assert skipped.json() == {"invitation": None, "skipped": "no_published_version"}
    assert api.post(f"/surveys/{survey['id']}/publish").status_code == 200
    sent = api.post(f"/surveys/{survey['id']}/invitations", {"customer_id": customer.pk})
    assert sent.status_code == 200 and sent.json()["invitation"]["url"].endswith("/")
    edited = copy.deepcopy(CSAT)
    edited["intro"]["zh"] = "新开场白"
    draft = api.post(f"/surveys/{survey['id']}/draft", {"definition": edited})
    assert draft.json()["number"] == 2 and draft.json()["published_at"] is None
    versions = api.get(f"/surveys/{survey['id']}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    bad = api.post(f"/surveys/{survey['id']}/draft", {"definition": {"sections": []}})
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {
        "sections": "at least one section"
    }
    listed = api.get(f"/surveys/{survey['id']}/invitations").json()
    assert listed["count"] == 1
    assert api.checked >= 6


def test_agents_may_not_design_through_the_api(org: Org) -> None:
    api = Api(org.agent)
    refused = api.post("/surveys", {"code": "x", "title_zh": "x", "definition": CSAT})
    assert refused.status_code == 403
    assert not Survey.objects.filter(code="x").exists()
    assert api.get("/surveys").json()["count"] == 4


def test_the_public_endpoints_need_only_the_token(org: Org) -> None:
    customer = consenting_customer(org)
    survey = Survey.objects.get(code="post-case-csat")
    Api(org.supervisor).post(f"/surveys/{survey.pk}/invitations", {"customer_id": customer.pk})
    token = Invitation.objects.get(customer=customer).token
    public = Api(None)
    shown = public.get(f"/public/surveys/{token}")
    assert shown.status_code == 200
    assert shown.json()["state"] == "pending"  # the link goes out after commit
    progress = public.post(f"/public/surveys/{token}/progress", {"answers": {"csat": 2}})
    assert progress.json() == {"complete": False, "answers": {"csat": 2}}
    invalid = public.post(f"/public/surveys/{token}/submit", {"answers": {"nps": 11}})
    assert invalid.status_code == 422 and invalid.json()["error"]["fields"]["nps"].startswith(
        "a whole number"
    )
    done = public.post(f"/public/surveys/{token}/submit", {"answers": {"ces": 3, "nps": 5}})
    assert done.json()["complete"] is True and done.json()["answers"]["csat"] == 2
    again = public.post(
        f"/public/surveys/{token}/submit", {"answers": {"csat": 5, "ces": 7, "nps": 10}}
    )
    assert again.json()["answers"]["csat"] == 2
    assert public.get("/public/surveys/nope").status_code == 404
    assert Client().get("/api/v1/survey-responses").status_code == 401

    manager = Api(org.supervisor)
    responses = manager.get("/survey-responses", {"survey": survey.pk}).json()
    assert [(r["csat"], r["nps"], r["version"]) for r in responses["items"]] == [(2, 5, 1)]
    scores = manager.get("/survey-scores", {"survey": survey.pk, "cut": "tier"}).json()
    assert scores["headline"]["csat"] == 0.0 and scores["headline"]["nps"] == -100.0
    assert scores["driver_method"] == "Pearson r"
    assert manager.get("/survey-scores", {"cut": "colour"}).status_code == 422
    peer = manager.post(
        "/survey-peer-figures",
        {
            "metric": "nps",
            "peer": "行业平均",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "value": 12.5,
        },
    )
    assert peer.status_code == 201
    assert manager.checked >= 4
