"""Triggers, tokens, the frequency cap, consent, channels, reminders and relationship waves."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.cases.models import CaseEvent
from kefu.core import clock
from kefu.customers.actions import add_contact, create_customer, update_profile
from kefu.customers.models import Customer, CustomerKind, DecisionRole
from kefu.surveys import actions
from kefu.surveys.models import Invitation, OutboxMessage, Survey
from kefu.surveys.selectors import pending_invitations_for
from kefu.surveys.tests.conftest import consenting_customer
from tests.factories import Org, advance, make_case

pytestmark = pytest.mark.usefixtures("shipped")


def close(org: Org, customer: Customer, kind: str, capture: Any) -> Any:
    case = make_case(org, kind=kind, customer=customer)
    with capture(execute=True):
        case = advance(org, case, "closed")
    return case


def test_closing_a_complaint_sends_the_return_visit_survey_once_by_email(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    customer = consenting_customer(org)
    case = close(org, customer, "complaint", django_capture_on_commit_callbacks)

    invitation = Invitation.objects.get(case=case)
    assert invitation.survey.code == "complaint-return-visit"
    assert (invitation.state, invitation.channel, invitation.trigger) == (
        "sent",
        "email",
        "case_closed",
    )
    assert [m.to for m in mail.outbox] == [[customer.primary_email]]
    assert f"/s/{invitation.token}/" in mail.outbox[0].body
    assert case.number in mail.outbox[0].body
    sent = CaseEvent.objects.filter(case=case, type="survey_sent")
    assert [e.data["invitation"] for e in sent] == [invitation.pk]
    # The service record names the survey and the channel in words, not by their codes.
    staff = Client()
    staff.force_login(org.supervisor)
    page = staff.get(f"/cases/{case.number}/").content.decode()
    assert invitation.survey.title_zh in page and "<dd>邮件</dd>" in page
    assert "complaint-return-visit" not in page

    # The same event again (a retried task) asks nobody twice.
    closed = CaseEvent.objects.get(case=case, type="closed")
    assert actions.distribute_for_case_event(closed.pk) == []
    assert Invitation.objects.filter(case=case).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("preferred", ["en", "en-GB"])
def test_a_customer_who_prefers_english_is_asked_in_english(
    org: Org, preferred: str, django_capture_on_commit_callbacks: Any
) -> None:
    english = consenting_customer(org, "Li Lei")
    update_profile(
        actor=Actor.staff(org.agent), customer_id=english.pk, preferred_language=preferred
    )
    chinese = consenting_customer(org, "韩梅梅")
    close(org, english, "complaint", django_capture_on_commit_callbacks)
    close(org, chinese, "complaint", django_capture_on_commit_callbacks)

    invitation = Invitation.objects.get(customer=english)
    assert invitation.language == "en"
    sent = {m.to[0]: m for m in mail.outbox}
    email = sent[english.primary_email]
    assert email.subject == invitation.survey.title_en
    assert "Please take a minute or two to answer our survey" in email.body
    # a customer without a preference keeps the default, Chinese
    assert Invitation.objects.get(customer=chinese).language == "zh-hans"
    assert "请用一两分钟回答我们的调查" in sent[chinese.primary_email].body


def test_closing_an_inquiry_sends_the_csat_survey_and_other_events_send_nothing(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    customer = consenting_customer(org)
    case = close(org, customer, "inquiry", django_capture_on_commit_callbacks)
    assert [i.survey.code for i in Invitation.objects.filter(case=case)] == ["post-case-csat"]
    accepted = CaseEvent.objects.filter(case=case, type="accepted").first()
    assert accepted is not None and actions.distribute_for_case_event(accepted.pk) == []


def test_a_recorded_return_visit_sends_the_surveys_that_ask_for_it(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    Survey.objects.filter(code="complaint-return-visit").update(
        closed_kinds=[], on_return_visit=True
    )
    customer = consenting_customer(org)
    case = close(org, customer, "complaint", django_capture_on_commit_callbacks)
    assert not Invitation.objects.filter(case=case).exists()
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.record_return_visit(case.pk, actor=Actor.staff(org.agent), outcome="satisfied")
    invitation = Invitation.objects.get(case=case)
    assert (invitation.survey.code, invitation.trigger) == (
        "complaint-return-visit",
        "return_visit",
    )


def test_no_consent_no_survey(org: Org, django_capture_on_commit_callbacks: Any) -> None:
    customer = consenting_customer(org, consent=False)
    case = close(org, customer, "complaint", django_capture_on_commit_callbacks)
    assert not Invitation.objects.filter(case=case).exists()
    assert mail.outbox == []


def test_the_frequency_cap_asks_a_person_at_most_once_in_n_days(
    org: Org, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KEFU_SURVEY_FREQUENCY_DAYS = 30
    customer = consenting_customer(org)
    survey = Survey.objects.get(code="customer-care")
    start = clock.now()
    with clock.frozen_at(start):
        first, _ = actions.invite(
            actor=Actor.staff(org.supervisor), survey=survey, customer=customer, trigger="manual"
        )
    with clock.frozen_at(start + dt.timedelta(days=29)):
        second, why = actions.invite(
            actor=Actor.system("t"), survey=survey, customer=customer, trigger="manual"
        )
    with clock.frozen_at(start + dt.timedelta(days=31)):
        third, _ = actions.invite(
            actor=Actor.system("t"), survey=survey, customer=customer, trigger="manual"
        )
    assert first is not None and third is not None
    assert (second, why) == (None, "frequency_cap")


def test_agents_may_not_send_surveys(org: Org) -> None:
    from kefu.core.errors import PermissionDenied

    customer = consenting_customer(org)
    with pytest.raises(PermissionDenied):
        actions.invite(
            actor=Actor.staff(org.agent),
            survey=Survey.objects.get(code="customer-care"),
            customer=customer,
            trigger="manual",
        )
    assert not Invitation.objects.exists()


def test_without_email_the_link_goes_by_sms_through_the_outbox_and_file_gateway(
    org: Org, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KEFU_SURVEY_OUTBOX_DIR = tmp_path
    settings.KEFU_SURVEY_GATEWAY = "file"
    customer = create_customer(actor=Actor.staff(org.agent), name="李四", phone="13900001111")
    from kefu.customers.actions import record_consent

    record_consent(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        purpose="survey",
        granted=True,
        method="sms",
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = actions.invite(
            actor=Actor.staff(org.supervisor),
            survey=Survey.objects.get(code="customer-care"),
            customer=customer,
            trigger="manual",
        )
    assert invitation is not None and invitation.channel == "sms"
    message = OutboxMessage.objects.get(invitation=invitation)
    assert message.sent_at is not None and message.gateway == "file"
    lines = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["to"] == "+8613900001111"
    assert invitation.token in json.loads(lines[0])["body"]
    assert mail.outbox == []


def test_reminders_once_after_the_interval_and_never_after_an_answer(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    survey = Survey.objects.get(code="customer-care")  # 3 days, 1 reminder
    start = clock.now()
    a, b = consenting_customer(org, "甲"), consenting_customer(org, "乙")
    with clock.frozen_at(start), django_capture_on_commit_callbacks(execute=True):
        one, _ = actions.invite(
            actor=Actor.system("t"), survey=survey, customer=a, trigger="manual"
        )
        two, _ = actions.invite(
            actor=Actor.system("t"), survey=survey, customer=b, trigger="manual"
        )
    assert one and two
    with (
        clock.frozen_at(start + dt.timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.submit_answers(
            two.token,
            {"care": {"behaviour": 5, "value": 5, "safety": 5, "convenience": 5}, "overall": 5},
        )
    mail.outbox.clear()
    with clock.frozen_at(start + dt.timedelta(days=2)):
        assert actions.send_due_reminders() == 0
    with clock.frozen_at(start + dt.timedelta(days=3, minutes=1)):
        assert actions.send_due_reminders() == 1
    with clock.frozen_at(start + dt.timedelta(days=8)):
        assert actions.send_due_reminders() == 0  # max one reminder
    assert [m.to for m in mail.outbox] == [[a.primary_email]]
    assert mail.outbox[0].subject.startswith("提醒")
    with clock.frozen_at(start + dt.timedelta(days=15)):
        assert actions.expire_invitations() == 1
    one.refresh_from_db()
    assert one.state == "expired"


def test_a_relationship_wave_asks_every_contact_on_the_decision_chain(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    staff = Actor.staff(org.supervisor)
    company = create_customer(actor=staff, name="华东电器有限公司", kind=CustomerKind.ORGANISATION)
    roles = list(DecisionRole.objects.filter(active=True).order_by("rank")[:3])
    contacts = []
    for n, role in enumerate(roles):
        contact = add_contact(
            actor=staff,
            organisation_id=company.pk,
            name=f"联系人{n}",
            phone=f"1380000000{n}",
            email=f"c{n}@hd.cn",
            role_code=role.code,
        )
        record_consent_for(org, contact)
        contacts.append(contact)
    outsider = add_contact(
        actor=staff, organisation_id=company.pk, name="前台", phone="13800000099"
    )
    record_consent_for(org, outsider)
    survey = Survey.objects.get(code="decision-chain-relationship")
    wave = actions.schedule_wave(
        survey.pk, actor=staff, name="2026Q4", scheduled_for=clock.now(), organisation_id=company.pk
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_due_waves() == 3
        assert actions.send_due_waves() == 0  # a wave goes once
    invited = set(Invitation.objects.filter(wave=wave).values_list("customer_id", flat=True))
    assert invited == {c.pk for c in contacts}
    assert len(mail.outbox) == 3


def record_consent_for(org: Org, customer: Customer) -> None:
    from kefu.customers.actions import record_consent

    record_consent(
        actor=Actor.staff(org.agent),
        customer_id=customer.pk,
        purpose="survey",
        granted=True,
        method="phone",
    )


def test_the_portal_lists_pending_invitations_with_their_links(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    customer = consenting_customer(org)
    case = close(org, customer, "complaint", django_capture_on_commit_callbacks)
    pending = pending_invitations_for(customer.pk)
    invitation = Invitation.objects.get(case=case)
    assert [p.url.endswith(f"/s/{invitation.token}/") for p in pending] == [True]
    assert pending[0].case_number == case.number
    actions.submit_answers(
        invitation.token, {"solved": "yes", "csat": 5, "speed": 5, "attitude": 5, "fairness": 5}
    )
    assert pending_invitations_for(customer.pk) == []


def test_the_link_uses_the_public_address_like_every_other_link(
    org: Org, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from kefu.channels.outgoing import portal_url

    settings.KEFU_PUBLIC_URL = "https://kefu.example.cn/"
    customer = consenting_customer(org)
    case = close(org, customer, "complaint", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(case=case)
    link = f"https://kefu.example.cn/s/{invitation.token}/"
    assert actions.public_url(invitation) == link and link in mail.outbox[0].body
    assert portal_url(case).startswith("https://kefu.example.cn/")
    assert "//" not in portal_url(case).removeprefix("https://")
