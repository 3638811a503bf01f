"""A customer answers the complaint return-visit survey on a phone, in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail

from kefu.accounts.actors import Actor
from kefu.cases.models import Case
from kefu.customers.actions import record_consent
from kefu.surveys.models import Invitation, Response
from kefu.surveys.shipped import ensure_shipped
from tests.factories import advance, make_case, make_customer, make_org

pytestmark = [pytest.mark.e2e]


@pytest.fixture(autouse=True)
def _tasks_inline() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved


def test_a_customer_answers_on_a_phone_in_chinese_and_a_score_of_1_opens_a_follow_up(
    reference_data, new_page
) -> None:
    ensure_shipped()
    org = make_org()
    customer = make_customer(org, name="李四", phone="13800138000")
    record_consent(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        purpose="survey",
        granted=True,
        method="phone",
    )
    # Closing the complaint sends the return-visit survey by email.
    case = advance(org, make_case(org, customer=customer), "closed")
    invitation = Invitation.objects.get(case=case)
    (message,) = mail.outbox
    path = re.search(r"/s/[\w-]+/", message.body).group(0)  # type: ignore[union-attr]
    assert path == f"/s/{invitation.token}/"

    page = new_page(locale="zh-CN", width=390, height=844)
    page.goto(path)
    assert page.locator("h1").inner_text() == "投诉回访调查"
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Submitting too early names what is missing, and keeps the page.
    page.click('[data-testid="survey-submit"]')
    page.wait_for_selector('[data-testid="survey-errors"]')
    assert "您的问题解决了吗？" in page.inner_text('[data-testid="survey-errors"]')

    # "Not solved" shows the question about what is still open (skip logic).
    assert not page.is_visible("#q-unsolved")
    page.click('#q-solved label:has-text("没有解决")')
    page.wait_for_selector("#q-unsolved", state="visible")
    page.locator("#q-csat .point").nth(0).click()  # one star
    for key in ("speed", "attitude", "fairness"):
        page.locator(f"#q-{key} .point").nth(0).click()
    page.fill('textarea[name="q_unsolved"]', "多扣的钱到现在还没有退")
    page.click('[data-testid="survey-save"]')
    page.wait_for_selector('[data-testid="survey-saved"]')
    assert Response.objects.get(invitation=invitation).complete is False

    page.click('[data-testid="survey-submit"]')
    page.wait_for_selector('[data-testid="survey-thanks"]')
    assert "谢谢您" in page.inner_text("h1")

    response = Response.objects.get(invitation=invitation)
    assert (response.complete, response.csat, response.answers["solved"]) == (True, 1, "no")
    followup = Case.objects.get(pk=response.followup_case_id)
    assert followup.handler_id == org.supervisor.pk

    # The link again: the thanks page, nothing changes.
    page.goto(path)
    page.wait_for_selector('[data-testid="survey-thanks"]')
    assert Response.objects.filter(invitation=invitation).count() == 1
