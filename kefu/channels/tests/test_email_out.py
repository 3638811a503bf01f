"""Replies go out through a real SMTP server (aiosmtpd): headers, threading, parts,
attachments; failures become an event on the case; a sent reply is never sent again."""

import email
import io

import pytest

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.cases.choices import EventType, MessageKind
from kefu.cases.models import CaseEvent
from kefu.channels import actions
from kefu.channels.models import OutboundEmail, OutboundStatus
from kefu.channels.tests import corpus
from kefu.channels.tests.servers import free_port, smtp_server
from kefu.config import mailers_from_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, tmp_path):
    with smtp_server() as server:
        settings.MAILERS = mailers_from_url(f"smtp://127.0.0.1:{server.port}", tmp_path)
        yield server


def _case(mailbox):
    return actions.ingest_email(mailbox.pk, corpus.gbk_plain()).case_id


def test_a_reply_reaches_the_customer_threaded_with_text_html_and_attachment(
    mailbox, org, smtp, django_capture_on_commit_callbacks
):
    case_id = _case(mailbox)
    agent = Actor.staff(org.agent)
    with django_capture_on_commit_callbacks(execute=True):
        message = case_actions.add_message(
            case_id, actor=agent, kind=MessageKind.OUTBOUND, body="王先生您好，师傅明天上午上门。"
        )
    assert len(smtp.received) == 1
    # A second delivery of the same reply (a retried task) sends nothing.
    assert actions.send_reply(message.pk) == OutboundStatus.SENT
    assert len(smtp.received) == 1
    sender, rcpts, raw = smtp.received[0]
    assert sender == "support@kefu.test" and rcpts == ["wang@example.cn"]
    mail = email.message_from_bytes(raw)
    out = OutboundEmail.objects.get(case_message=message)
    number = out.case.number
    subject = str(email.header.make_header(email.header.decode_header(mail["Subject"])))
    assert number in subject and "宽带断网" in subject
    assert mail["Message-ID"] == out.message_id
    assert mail["In-Reply-To"] == "<gbk-1@mail.example.cn>"
    assert "<gbk-1@mail.example.cn>" in mail["References"]
    assert mail.get_content_type() == "multipart/alternative"
    text, html = [p for p in mail.walk() if not p.is_multipart()]
    plain = bytes(text.get_payload(decode=True)).decode(text.get_content_charset() or "utf-8")
    assert "师傅明天上午上门" in plain and number in plain and "Case number" in plain
    assert html.get_content_type() == "text/html"
    assert "师傅明天上午上门" in bytes(html.get_payload(decode=True)).decode("utf-8")
    assert CaseEvent.objects.filter(case_id=case_id, type=EventType.EMAIL_SENT).count() == 1


def test_attachments_of_the_reply_are_attached(mailbox, org, smtp):
    case_id = _case(mailbox)
    agent = Actor.staff(org.agent)
    message = case_actions.add_message(
        case_id, actor=agent, kind=MessageKind.OUTBOUND, body="见附件"
    )
    case_actions.add_attachment(
        case_id, actor=agent, name="回执.png", stream=io.BytesIO(corpus.PNG),
        size=len(corpus.PNG), message=message,
    )  # fmt: skip
    actions.send_reply(message.pk)
    mail = email.message_from_bytes(smtp.received[0][2])
    assert mail.get_content_type() == "multipart/mixed"
    files = [p for p in mail.walk() if p.get_filename()]
    assert [p.get_filename() for p in files] == ["回执.png"]
    assert files[0].get_payload(decode=True) == corpus.PNG


def test_a_failed_delivery_is_an_event_on_the_case(mailbox, org, settings, tmp_path):
    settings.MAILERS = mailers_from_url(f"smtp://127.0.0.1:{free_port()}", tmp_path)
    case_id = _case(mailbox)
    message = case_actions.add_message(
        case_id, actor=Actor.staff(org.agent), kind=MessageKind.OUTBOUND, body="您好"
    )
    with pytest.raises(OSError):
        actions.send_reply(message.pk, final=False)  # a retry will follow: no event yet
    assert not CaseEvent.objects.filter(case_id=case_id, type=EventType.EMAIL_FAILED).exists()
    with pytest.raises(OSError):
        actions.send_reply(message.pk, final=True)
    out = OutboundEmail.objects.get(case_message=message)
    assert out.status == OutboundStatus.FAILED and out.attempts == 2
    event = CaseEvent.objects.get(case_id=case_id, type=EventType.EMAIL_FAILED)
    assert event.data["to"] == "wang@example.cn" and "Connection" in event.data["error"]


def test_notes_and_cases_without_an_address_send_nothing(
    mailbox, org, smtp, django_capture_on_commit_callbacks
):
    case_id = _case(mailbox)
    with django_capture_on_commit_callbacks(execute=True):
        case_actions.add_message(
            case_id, actor=Actor.staff(org.agent), kind=MessageKind.NOTE, body="内部备注"
        )
    assert smtp.received == []


def test_the_agent_sees_a_failed_delivery_on_the_case_page(
    mailbox, org, settings, tmp_path, client
):
    settings.MAILERS = mailers_from_url(f"smtp://127.0.0.1:{free_port()}", tmp_path)
    case_id = _case(mailbox)
    message = case_actions.add_message(
        case_id, actor=Actor.staff(org.agent), kind=MessageKind.OUTBOUND, body="您好"
    )
    with pytest.raises(OSError):
        actions.send_reply(message.pk, final=True)
    client.force_login(org.agent)
    number = OutboundEmail.objects.get(case_message=message).case.number
    page = client.get(f"/cases/{number}/").content.decode()
    assert 'data-event="email_failed"' in page and "tone-warn" in page
    assert "邮件发送失败" in page and "wang@example.cn" not in page.split("email_failed")[1][:2000]


def test_replayed_history_is_not_mailed_out(mailbox, org, smtp, django_capture_on_commit_callbacks):
    import datetime as dt

    from kefu.core import clock

    case_id = _case(mailbox)
    past = clock.now() - dt.timedelta(days=30)
    with clock.frozen_at(past), django_capture_on_commit_callbacks(execute=True):
        case_actions.add_message(
            case_id, actor=Actor.staff(org.agent), kind=MessageKind.OUTBOUND, body="旧回复"
        )
    assert smtp.received == [] and not OutboundEmail.objects.exists()


def test_the_subject_has_one_reply_prefix_and_the_case_number(mailbox):
    from kefu.cases.models import Case
    from kefu.channels.outgoing import reply_subject

    case_id = actions.ingest_email(
        mailbox.pk, corpus.subject_number("ZX-2099-000001", "zhou@example.cn")
    ).case_id
    assert case_id is not None
    case = Case.objects.get(pk=case_id)
    assert case.subject.startswith("Re: ")
    assert reply_subject(case) == f"回复/Reply: [ZX-2099-000001] 宽带 [{case.number}]"
