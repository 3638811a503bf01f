"""Answering by token: partial saves, double submits, expiry, versions, the closed loop."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from kefu.accounts.actors import Actor
from kefu.cases.models import Case, CaseEvent
from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.crm.models import SatisfactionRecord
from kefu.surveys import actions
from kefu.surveys.actions import TokenExpired
from kefu.surveys.models import Invitation, Response, ResponseItem, Survey
from kefu.surveys.shipped import RETURN_VISIT
from kefu.surveys.tests.conftest import consenting_customer
from tests.factories import Org, advance, make_case

pytestmark = pytest.mark.usefixtures("shipped")

HAPPY = {"solved": "yes", "csat": 5, "speed": 4, "attitude": 5, "fairness": 4, "nps": 9}
UNHAPPY = {"solved": "no", "csat": 1, "speed": 2, "attitude": 1, "fairness": 1, "nps": 2}


@pytest.fixture
def invitation(org: Org, django_capture_on_commit_callbacks: Any) -> Invitation:
    customer = consenting_customer(org)
    case = make_case(org, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        advance(org, case, "closed")
    return Invitation.objects.get(case=case)


def test_partial_progress_is_kept_and_checked(invitation: Invitation) -> None:
    actions.save_progress(invitation.token, {"solved": "partly"})
    actions.save_progress(invitation.token, {"csat": "4"})
    response = Response.objects.get(invitation=invitation)
    assert (response.answers, response.complete) == ({"solved": "partly", "csat": 4}, False)
    with pytest.raises(ValidationFailed) as exc:
        actions.save_progress(invitation.token, {"csat": 9})
    assert exc.value.fields == {"csat": "a whole number from 1 to 5"}
    with pytest.raises(ValidationFailed) as exc:
        actions.submit_answers(invitation.token, {})
    assert set(exc.value.fields) == {"speed", "attitude", "fairness"}


def test_submitting_twice_is_harmless(
    invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.submit_answers(invitation.token, HAPPY)
        again = actions.submit_answers(invitation.token, UNHAPPY)
        saved = actions.save_progress(invitation.token, {"csat": 1})
    assert first.pk == again.pk == saved.pk
    response = Response.objects.get(invitation=invitation)
    assert (response.csat, response.nps, response.answers["solved"]) == (5, 9, "yes")
    assert Response.objects.count() == 1
    assert ResponseItem.objects.filter(response=response).count() == 5
    invitation.refresh_from_db()
    assert invitation.state == "answered"
    answered = CaseEvent.objects.filter(case=invitation.case, type="survey_answered")
    assert [(e.data["response"], e.data["csat"]) for e in answered] == [(response.pk, 5)]


def test_an_expired_or_unknown_link_is_refused(invitation: Invitation) -> None:
    with (
        clock.frozen_at(invitation.expires_at + dt.timedelta(seconds=1)),
        pytest.raises(TokenExpired),
    ):
        actions.submit_answers(invitation.token, HAPPY)
    with pytest.raises(NotFound):
        actions.submit_answers("not-a-token", HAPPY)
    assert not Response.objects.exists()


def test_a_low_score_opens_exactly_one_follow_up_case_for_the_team_supervisor(
    org: Org, invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = actions.submit_answers(invitation.token, UNHAPPY)
    response.refresh_from_db()
    followup = response.followup_case
    assert followup is not None
    assert (followup.kind.code, followup.team_id, followup.handler_id) == (
        "complaint",
        org.team.pk,
        org.supervisor.pk,
    )
    assert followup.customer_id == invitation.customer_id
    assert followup.status == "assigned"
    # Running the after-answer step again (a retried task) opens nothing more.
    assert actions.after_answer(response.pk) is None
    assert actions.open_followup(response.pk, reasons=["csat"]) is None
    assert Case.objects.filter(subject__startswith="满意度回访跟进").count() == 1
    links = CaseEvent.objects.filter(type="linked")
    assert sorted((e.case_id, e.data.get("response")) for e in links) == sorted(
        [(followup.pk, response.pk), (invitation.case_id, response.pk)]
    )


def test_a_good_score_opens_nothing_and_feeds_the_churn_warning(
    invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = actions.submit_answers(invitation.token, HAPPY)
    response.refresh_from_db()
    assert response.followup_case_id is None
    record = SatisfactionRecord.objects.get(customer=invitation.customer)
    assert (record.score, record.scale_max, record.reference) == (5, 5, f"response:{response.pk}")


def test_a_complaint_written_in_the_open_answer_opens_a_follow_up_despite_good_scores(
    invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    answers = {**HAPPY, "comment": "服务态度太差了，我要投诉你们，又多扣了我的钱"}
    with django_capture_on_commit_callbacks(execute=True):
        response = actions.submit_answers(invitation.token, answers)
    response.refresh_from_db()
    assert response.complaint_detected is True
    assert response.followup_case_id is not None


def test_editing_a_published_survey_makes_a_new_version_and_old_answers_keep_theirs(
    org: Org, invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        old = actions.submit_answers(invitation.token, HAPPY)
    survey = Survey.objects.get(code="complaint-return-visit")
    edited = copy.deepcopy(RETURN_VISIT)
    edited["sections"][0]["questions"] = [
        q for q in edited["sections"][0]["questions"] if q["key"] != "fairness"
    ]
    manager = Actor.staff(org.site_manager)
    draft = actions.save_draft(survey.pk, actor=manager, definition=edited)
    assert draft.number == 2 and draft.published_at is None
    assert getattr(actions.current_version(survey), "number", None) == 1  # not yet published
    again = actions.save_draft(survey.pk, actor=manager, definition=edited)
    assert again.pk == draft.pk  # edits go to the one draft
    actions.publish_draft(survey.pk, actor=manager)
    assert getattr(actions.current_version(survey), "number", None) == 2

    old.refresh_from_db()
    assert old.version.number == 1
    assert any(q["key"] == "fairness" for q in old.version.definition["sections"][0]["questions"])
    assert old.answers["fairness"] == 4

    customer = consenting_customer(org, "新客户")
    case = make_case(org, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        advance(org, case, "closed")
    new = Invitation.objects.get(case=case)
    assert new.version.number == 2
    with pytest.raises(ValidationFailed) as exc:
        actions.submit_answers(new.token, HAPPY)
    assert exc.value.fields == {"fairness": "unknown question"}


def test_anonymous_answers_are_not_traced_to_the_person(org: Org) -> None:
    customer = consenting_customer(org)
    survey = Survey.objects.get(code="customer-care")
    invitation, _ = actions.invite(
        actor=Actor.staff(org.supervisor), survey=survey, customer=customer, trigger="manual"
    )
    assert invitation is not None
    care = {"behaviour": 1, "value": 1, "safety": 1, "convenience": 1}
    response = actions.submit_answers(invitation.token, {"care": care, "overall": 1})
    assert (response.customer_id, response.case_id, response.agent_id) == (None, None, None)
    assert actions.after_answer(response.pk) is None  # nobody to follow up with
    assert not SatisfactionRecord.objects.filter(customer=customer).exists()


def test_an_old_response_reads_with_its_own_version_after_a_new_one_is_published(
    org: Org, invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        old = actions.submit_answers(invitation.token, HAPPY)
    survey = Survey.objects.get(code="complaint-return-visit")
    edited = copy.deepcopy(RETURN_VISIT)
    edited["sections"][0]["questions"] = [
        q for q in edited["sections"][0]["questions"] if q["key"] != "fairness"
    ]
    manager = Actor.staff(org.site_manager)
    actions.save_draft(survey.pk, actor=manager, definition=edited)
    actions.publish_draft(survey.pk, actor=manager)
    client = Client()
    client.force_login(org.supervisor)
    page = client.get(f"/surveys/responses/{old.pk}/").content.decode()
    assert "处理结果是否公平合理" in page  # the question only version 1 has
    assert 'data-key="fairness">4<' in page
    assert "v1" in page
    agent = Client()
    agent.force_login(org.other_agent)
    assert agent.get(f"/surveys/responses/{old.pk}/").status_code == 404


def test_the_case_record_shows_the_survey_its_scores_and_the_follow_up(
    org: Org, invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        response = actions.submit_answers(invitation.token, UNHAPPY)
    response.refresh_from_db()
    assert response.followup_case is not None and invitation.case is not None
    client = Client()
    client.force_login(org.supervisor)
    page = client.get(f"/cases/{invitation.case.number}/").content.decode()
    assert invitation.survey.title_zh in page and "complaint-return-visit" not in page
    assert "CSAT 1 · NPS 2" in page
    assert response.followup_case.number in page


def test_the_follow_up_case_says_why_in_words(
    org: Org, invitation: Invitation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = actions.submit_answers(invitation.token, UNHAPPY)
    response.refresh_from_db()
    assert response.followup_case is not None
    request = response.followup_case.description
    assert request.splitlines()[:2] == [
        f"答卷 #{response.pk} 需要跟进。",
        "原因：满意度（CSAT）低分：1；推荐意愿（NPS）低分：2",
    ]
    assert "csat=" not in request and "None" not in request
