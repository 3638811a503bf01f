"""The public answer page: no login, bilingual, partial progress, errors, double submit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.surveys import actions
from kefu.surveys.models import Invitation, Response, Survey
from kefu.surveys.tests.conftest import consenting_customer
from tests.factories import Org, advance, make_case

pytestmark = pytest.mark.usefixtures("shipped")


@pytest.fixture
def invitation(org: Org, django_capture_on_commit_callbacks: Any) -> Invitation:
    customer = consenting_customer(org)
    case = make_case(org, customer=customer, kind="inquiry")
    with django_capture_on_commit_callbacks(execute=True):
        advance(org, case, "closed")
    return Invitation.objects.get(case=case)


def test_the_page_needs_no_login_and_speaks_both_languages(invitation: Invitation) -> None:
    client = Client()
    page = client.get(f"/s/{invitation.token}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page.status_code == 200
    html = page.content.decode()
    assert "总体来说，您对本次服务满意吗？" in html and 'name="q_csat"' in html
    english = client.get(f"/s/{invitation.token}/?lang=en").content.decode()
    assert "Overall, how satisfied are you with this service?" in english
    assert client.get("/s/nope/").status_code == 404


def test_missing_answers_come_back_with_errors_and_the_answers_kept(invitation: Invitation) -> None:
    client = Client()
    page = client.post(f"/s/{invitation.token}/", {"q_csat": "2", "action": "submit"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'href="#q-ces"' in html and 'href="#q-nps"' in html
    assert 'value="2" checked' in html
    assert not Response.objects.filter(complete=True).exists()


def test_save_then_submit_then_submit_again(
    invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    url = f"/s/{invitation.token}/"
    saved = client.post(url, {"q_csat": "4", "action": "save"})
    assert saved.status_code == 200 and "已保存进度" in saved.content.decode()
    assert Response.objects.get(invitation=invitation).answers == {"csat": 4}
    # Coming back later: the saved answer is filled in.
    assert 'value="4" checked' in client.get(url).content.decode()
    full = {
        "q_csat": "4",
        "q_ces": "6",
        "q_nps": "8",
        "q_aspects__speed": "4",
        "q_suggestion": "希望晚上也能办理",
        "action": "submit",
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, full)
    assert done.status_code == 302 and done["Location"] == f"/s/{invitation.token}/thanks/"
    again = client.post(url, {**full, "q_csat": "1"})
    assert again.status_code == 302
    response = Response.objects.get(invitation=invitation)
    assert (response.csat, response.ces, response.nps) == (4, 6, 8)
    assert response.answers["aspects"] == {"speed": 4}
    assert "谢谢您" in client.get(f"/s/{invitation.token}/thanks/").content.decode()


def test_ranking_ranks_are_stored_as_an_order_and_repeated_ranks_refused(org: Org) -> None:
    survey = Survey.objects.get(code="decision-chain-relationship")
    invitation, _ = actions.invite(
        actor=Actor.staff(org.supervisor),
        survey=survey,
        customer=consenting_customer(org),
        trigger="manual",
    )
    assert invitation is not None
    client, url = Client(), f"/s/{invitation.token}/"
    ranks = {
        "q_priorities__price": "2",
        "q_priorities__quality": "1",
        "q_priorities__service": "4",
        "q_priorities__speed": "3",
    }
    saved = client.post(url, {**ranks, "action": "save"})
    assert saved.status_code == 200
    stored = Response.objects.get(invitation=invitation)
    assert stored.answers["priorities"] == ["quality", "price", "speed", "service"]

    repeated = client.post(url, {**ranks, "q_priorities__speed": "4", "action": "save"})
    assert repeated.status_code == 422
    assert 'href="#q-priorities"' in repeated.content.decode()
    stored.refresh_from_db()
    assert stored.answers["priorities"] == ["quality", "price", "speed", "service"]
