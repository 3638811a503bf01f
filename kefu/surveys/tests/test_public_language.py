"""The public answer page speaks the invitation's language (the customer's preference),
whatever the browser asks for; the page's switch still changes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.customers.actions import update_profile
from kefu.surveys.models import Invitation
from kefu.surveys.tests.conftest import consenting_customer
from tests.factories import Org, advance, make_case

pytestmark = pytest.mark.usefixtures("shipped")

ENGLISH = "Overall, how satisfied are you with this service?"
CHINESE = "总体来说，您对本次服务满意吗？"


def _invitation(org: Org, capture: Any, preferred: str = "") -> Invitation:
    customer = consenting_customer(org, "Li Lei")
    if preferred:
        update_profile(
            actor=Actor.staff(org.agent), customer_id=customer.pk, preferred_language=preferred
        )
    case = make_case(org, customer=customer, kind="inquiry")
    with capture(execute=True):
        advance(org, case, "closed")
    return Invitation.objects.get(case=case)


def test_an_english_invitation_opens_in_english_in_a_chinese_browser(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    invitation = _invitation(org, django_capture_on_commit_callbacks, preferred="en")
    assert invitation.language == "en"
    client = Client()
    url = f"/s/{invitation.token}/"

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert ENGLISH in page and CHINESE not in page
    # The switch on the page still offers (and gives) Chinese.
    assert 'data-testid="survey-lang"' in page and "?lang=zh-hans" in page
    chinese = client.get(f"{url}?lang=zh-hans", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert CHINESE in chinese


def test_a_chinese_invitation_opens_in_chinese_in_an_english_browser(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    invitation = _invitation(org, django_capture_on_commit_callbacks)
    assert invitation.language == "zh-hans"

    page = Client().get(f"/s/{invitation.token}/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert CHINESE in page.content.decode()
