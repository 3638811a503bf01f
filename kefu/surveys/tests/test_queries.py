"""No N+1 and no repeated reads: the survey list (page and API), the designer page, a
relationship wave, the dashboard and the public answer page run a fixed number of queries,
however many surveys, versions or contacts there are."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.accounts.actors import Actor
from kefu.api.tests.conftest import Api
from kefu.core import clock
from kefu.customers.actions import add_contact, create_customer, record_consent
from kefu.customers.models import Customer, CustomerKind, DecisionRole
from kefu.surveys import actions, scores
from kefu.surveys.models import Invitation, Response, Survey
from kefu.surveys.shipped import CSAT
from kefu.surveys.tests.conftest import consenting_customer
from kefu.surveys.tests.test_scores import answer_all, filters
from tests.factories import Org

pytestmark = pytest.mark.usefixtures("shipped")

ROWS = 22


def queries(call: Callable[[], Any]) -> tuple[list[str], Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return [q["sql"] for q in ctx.captured_queries], result


def more_surveys(org: Org, n: int = ROWS) -> None:
    """n surveys: every other one published, some with a draft of a second version."""
    staff = Actor.staff(org.site_manager)
    for i in range(n):
        survey = actions.create_survey(
            actor=staff, code=f"extra-{i}", title_zh=f"问卷{i}", definition=CSAT
        )
        if i % 2:
            actions.publish_draft(survey.pk, actor=staff)
            if i % 4 == 1:
                actions.save_draft(survey.pk, actor=staff, definition=CSAT)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_survey_list_page_reads_every_survey_in_one_query(org: Org) -> None:
    answer_all(org)  # 4 invited and answered on post-case-csat
    client = signed_in(org.supervisor)
    few, _ = queries(lambda: client.get("/surveys/"))
    more_surveys(org)
    many, page = queries(lambda: client.get("/surveys/"))

    assert page.status_code == 200
    assert len(many) == len(few)
    rows = {s.code: s for s in page.context["surveys"]}
    assert len(rows) == 4 + ROWS
    csat = rows["post-case-csat"]
    assert (csat.current_number, csat.draft_number, csat.invited, csat.answered) == (1, None, 4, 4)
    assert (rows["extra-0"].current_number, rows["extra-0"].draft_number) == (None, 1)
    assert (rows["extra-1"].current_number, rows["extra-1"].draft_number) == (1, 2)
    assert (rows["extra-3"].current_number, rows["extra-3"].draft_number) == (1, None)
    assert "v1" in page.content.decode() and "有草稿" in page.content.decode()


def test_the_survey_list_endpoint_runs_a_fixed_number_of_queries(org: Org) -> None:
    api = Api(org.supervisor)
    few, _ = queries(lambda: api.get("/surveys", {"page_size": 50}))
    more_surveys(org)
    many, listed = queries(lambda: api.get("/surveys", {"page_size": 50}))

    assert listed.status_code == 200 and listed.json()["count"] == 4 + ROWS
    assert len(many) == len(few)
    by_code = {s["code"]: s for s in listed.json()["items"]}
    assert (by_code["extra-1"]["current_version"], by_code["extra-1"]["draft_version"]) == (1, 2)
    assert (by_code["extra-0"]["current_version"], by_code["extra-0"]["draft_version"]) == (None, 1)
    # A single survey reads the same way.
    one = api.get(f"/surveys/{Survey.objects.get(code='extra-1').pk}").json()
    assert (one["current_version"], one["draft_version"]) == (1, 2)


def test_the_designer_page_does_not_read_per_version(org: Org) -> None:
    staff = Actor.staff(org.site_manager)
    survey = Survey.objects.get(code="customer-care")
    client = signed_in(org.supervisor)
    few, _ = queries(lambda: client.get(f"/surveys/{survey.pk}/"))
    for n in range(ROWS):
        edited = copy.deepcopy(survey.versions.get(number=1).definition)
        edited["intro"] = {"zh": f"第{n}版", "en": f"v{n}"}
        actions.save_draft(survey.pk, actor=staff, definition=edited)
        actions.publish_draft(survey.pk, actor=staff)
    many, page = queries(lambda: client.get(f"/surveys/{survey.pk}/"))
    assert page.status_code == 200
    assert len(many) == len(few)
    assert len(page.context["versions"]) == ROWS + 1


def organisation_with_contacts(org: Org, name: str, n: int) -> Customer:
    staff = Actor.staff(org.supervisor)
    company = create_customer(actor=staff, name=name, kind=CustomerKind.ORGANISATION)
    roles = list(DecisionRole.objects.filter(active=True).order_by("rank"))
    for i in range(n):
        contact = add_contact(
            actor=staff,
            organisation_id=company.pk,
            name=f"{name}联系人{i}",
            phone=f"137{company.pk:04d}{i:04d}",
            email=f"c{i}@org{company.pk}.cn",
            role_code=roles[i % len(roles)].code,
        )
        if i % 5:  # every fifth never agreed to surveys
            record_consent(
                actor=staff,
                customer_id=contact.pk,
                purpose="survey",
                granted=True,
                method="phone",
            )
    return company


def test_a_wave_runs_a_fixed_number_of_queries_however_many_contacts(
    org: Org, settings: Any
) -> None:
    settings.KEFU_SURVEY_FREQUENCY_DAYS = 30
    survey = Survey.objects.get(code="decision-chain-relationship")
    staff = Actor.staff(org.supervisor)
    small = organisation_with_contacts(org, "小公司", 5)
    large = organisation_with_contacts(org, "大集团", 4 * ROWS)
    # One of the large group's contacts was asked last week: the frequency cap skips them.
    recent = Customer.objects.filter(organisation=large, name="大集团联系人1").get()
    actions.invite(actor=staff, survey=survey, customer=recent, trigger="manual")

    small_wave, large_wave = (
        actions.schedule_wave(
            survey.pk,
            actor=staff,
            name=company.name,
            scheduled_for=clock.now(),
            organisation_id=company.pk,
        ).pk
        for company in (small, large)
    )
    few, sent_small = queries(lambda: actions.send_wave(small_wave))
    many, sent_large = queries(lambda: actions.send_wave(large_wave))

    assert sent_small == (4, 1)
    # 88 contacts: 18 without consent (every fifth from the first), 1 within the cap.
    assert sent_large == (4 * ROWS - 19, 19)
    assert len(many) == len(few)
    invited = Invitation.objects.filter(wave__organisation=large)
    assert invited.count() == 4 * ROWS - 19
    assert not invited.filter(customer=recent).exists()
    assert {i.channel for i in invited} == {"email"}


def test_the_dashboard_reads_the_questionnaires_once(org: Org) -> None:
    answer_all(org)

    def version_reads(user: Any) -> int:
        sql, board = queries(lambda: scores.dashboard(user, filters(), "zh-hans"))
        assert board.items  # the item means carry their labels
        return sum("surveys_surveyversion" in q for q in sql)

    assert version_reads(org.supervisor) == 1
    # The same for a scoped reader, who reads the answers themselves (the live path).
    Response.objects.update(agent=org.agent)
    assert version_reads(org.agent) == 1


def test_the_public_page_reads_the_answer_once(org: Org) -> None:
    customer = consenting_customer(org)
    survey = Survey.objects.get(code="post-case-csat")
    invitation, _ = actions.invite(
        actor=Actor.staff(org.supervisor), survey=survey, customer=customer, trigger="manual"
    )
    assert invitation is not None
    actions.save_progress(invitation.token, {"csat": 4}, language="en")
    client = Client()
    sql, page = queries(lambda: client.get(f"/s/{invitation.token}/"))
    assert page.status_code == 200
    assert "Overall, how satisfied" in page.content.decode()  # the saved answer's language
    assert sum('FROM "surveys_response"' in q for q in sql) == 1
    actions.submit_answers(invitation.token, {"csat": 4, "ces": 5, "nps": 9})
    sql, thanks = queries(lambda: client.get(f"/s/{invitation.token}/thanks/"))
    assert thanks.status_code == 200
    assert sum('FROM "surveys_response"' in q for q in sql) == 1
