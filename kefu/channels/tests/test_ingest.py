"""The ingest action on the written corpus: where each email lands, nothing twice,
quarantine and its retry, loops, attachments, threading."""

import datetime as dt

import pytest

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.cases.choices import Channel, EventType, MessageKind
from kefu.cases.models import Attachment, Case, CaseEvent, CaseMessage
from kefu.channels import actions
from kefu.channels.models import InboundEmail, InboundStatus, Mailbox, OutboundEmail
from kefu.channels.tests import corpus
from kefu.core import clock
from kefu.core.errors import PermissionDenied
from kefu.customers.models import Customer

pytestmark = pytest.mark.django_db


def _ingest(mailbox, raw, uid=None):
    return actions.ingest_email(mailbox.pk, raw, uidvalidity=7 if uid else None, uid=uid)


def test_a_gbk_email_becomes_a_case_with_readable_chinese(mailbox, org):
    result = _ingest(mailbox, corpus.gbk_plain())
    assert result.status == InboundStatus.NEW_CASE
    case = Case.objects.get(pk=result.case_id)
    assert case.channel == Channel.EMAIL and case.subject == "宽带断网，请尽快维修"
    assert case.team == org.team and case.kind.code == "inquiry"
    assert case.customer.name == "王先生" and case.customer.primary_email == "wang@example.cn"
    message = CaseMessage.objects.get(case=case)
    assert message.kind == MessageKind.INBOUND and "一直断网" in message.body
    row = InboundEmail.objects.get(pk=result.inbound_id)
    assert row.case_message == message and row.message_id == "<gbk-1@mail.example.cn>"


def test_the_same_message_twice_is_stored_once(mailbox):
    first = _ingest(mailbox, corpus.gbk_plain(), uid=1)
    assert _ingest(mailbox, corpus.gbk_plain(), uid=1).duplicate  # same UID
    assert _ingest(mailbox, corpus.gbk_plain(), uid=2).duplicate  # same Message-ID
    assert actions.ingest_email(mailbox.pk, corpus.gbk_plain(), source="http").duplicate
    assert Case.objects.count() == 1 and CaseMessage.objects.count() == 1
    assert InboundEmail.objects.count() == 1
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 0  # no epoch started: progress is only kept under UIDVALIDITY
    assert first.status == InboundStatus.NEW_CASE


def test_progress_moves_with_the_stored_message(mailbox):
    actions.start_uid_epoch(mailbox.pk, 7)
    _ingest(mailbox, corpus.gbk_plain(), uid=3)
    _ingest(mailbox, corpus.malformed(), uid=4)
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_uid) == (7, 4)
    assert actions.start_uid_epoch(mailbox.pk, 8)
    mailbox.refresh_from_db()
    assert (mailbox.uidvalidity, mailbox.last_uid) == (8, 0)


def test_a_reply_threads_by_in_reply_to_and_the_quote_is_trimmed(mailbox):
    first = _ingest(mailbox, corpus.gbk_plain())
    result = _ingest(
        mailbox, corpus.reply_to("<gbk-1@mail.example.cn>", "<r-1@x>", "other@example.cn")
    )
    assert result.status == InboundStatus.THREADED and result.case_id == first.case_id
    last = CaseMessage.objects.filter(case_id=first.case_id).latest("id")
    assert last.body == "师傅今天还没来，请再催一下。"


def test_a_reply_to_our_own_outbound_mail_threads(mailbox, org, django_capture_on_commit_callbacks):
    case = Case.objects.get(pk=_ingest(mailbox, corpus.gbk_plain()).case_id)
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_actions.add_message(
            case.pk, actor=Actor.staff(org.agent), kind=MessageKind.OUTBOUND, body="已安排上门。"
        )
    out = OutboundEmail.objects.get(case_message=reply)  # sent by the receiver (locmem)
    result = _ingest(mailbox, corpus.reply_to(out.message_id, "<r-2@x>", "wang@example.cn"))
    assert result.case_id == case.pk


def test_the_case_number_in_the_subject_counts_only_for_its_customer(mailbox):
    case = Case.objects.get(pk=_ingest(mailbox, corpus.gbk_plain()).case_id)
    mine = _ingest(mailbox, corpus.subject_number(case.number, "wang@example.cn"))
    assert mine.case_id == case.pk
    stranger = _ingest(
        mailbox, corpus.subject_number(case.number, "mallory@example.cn", msgid="<n-2@x>")
    )
    assert stranger.status == InboundStatus.NEW_CASE and stranger.case_id != case.pk


def test_auto_replies_are_recorded_and_create_nothing(mailbox, mailoutbox):
    result = _ingest(mailbox, corpus.auto_reply())
    assert result.status == InboundStatus.IGNORED
    assert Case.objects.count() == 0 and Customer.objects.count() == 0
    assert InboundEmail.objects.get().reason.startswith("auto-reply")
    assert mailoutbox == []


def test_a_bounce_of_our_reply_is_a_failed_delivery_on_the_case(
    mailbox, org, django_capture_on_commit_callbacks
):
    case = Case.objects.get(pk=_ingest(mailbox, corpus.gbk_plain()).case_id)
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_actions.add_message(
            case.pk, actor=Actor.staff(org.agent), kind=MessageKind.OUTBOUND, body="您好"
        )
    out = OutboundEmail.objects.get(case_message=reply)
    cases_before = Case.objects.count()
    result = _ingest(mailbox, corpus.bounce(original_msgid=out.message_id))
    assert result.status == InboundStatus.IGNORED and result.case_id == case.pk
    assert Case.objects.count() == cases_before
    assert CaseEvent.objects.filter(case=case, type=EventType.EMAIL_FAILED).exists()


def test_attachments_are_stored_and_refused_ones_noted(mailbox, settings):
    settings.KEFU_MAX_ATTACHMENT_BYTES = 1024 * 1024
    result = _ingest(mailbox, corpus.with_attachments(big_bytes=2 * 1024 * 1024))
    assert result.status == InboundStatus.NEW_CASE
    stored = Attachment.objects.get(case_id=result.case_id)
    assert stored.original_name == "故障照片.png" and stored.message is not None
    reason = InboundEmail.objects.get(pk=result.inbound_id).reason
    assert "log.txt" in reason and "setup.exe" in reason


def test_a_forward_keeps_the_forwarded_content(mailbox):
    result = _ingest(mailbox, corpus.forwarded())
    body = CaseMessage.objects.get(case_id=result.case_id).body
    assert "我没有订过这个套餐" in body and "199 元/月" in body


def test_a_broken_message_is_quarantined_and_the_next_one_flows(mailbox):
    actions.start_uid_epoch(mailbox.pk, 7)
    broken = _ingest(mailbox, corpus.malformed(), uid=1)
    after = _ingest(mailbox, corpus.big5_qp(), uid=2)
    assert broken.status == InboundStatus.QUARANTINED
    row = InboundEmail.objects.get(pk=broken.inbound_id)
    assert "malformed MIME" in row.reason
    assert row.raw.read() == corpus.malformed()
    assert after.status == InboundStatus.NEW_CASE
    assert "訂單還沒有收到" in CaseMessage.objects.get(case_id=after.case_id).body


def test_an_admin_retries_a_quarantined_email_after_the_cause_is_fixed(mailbox, org):
    Mailbox.objects.filter(pk=mailbox.pk).update(default_kind="no-such-kind")
    result = _ingest(mailbox, corpus.gbk_plain())
    assert result.status == InboundStatus.QUARANTINED
    assert "kind" in InboundEmail.objects.get(pk=result.inbound_id).reason
    with pytest.raises(PermissionDenied):
        actions.retry_quarantined(result.inbound_id, actor=Actor.staff(org.agent))
    Mailbox.objects.filter(pk=mailbox.pk).update(default_kind="inquiry")
    retried = actions.retry_quarantined(result.inbound_id, actor=Actor.staff(org.admin))
    assert retried.status == InboundStatus.NEW_CASE and retried.case_id is not None
    assert Case.objects.get(pk=retried.case_id).subject == "宽带断网，请尽快维修"
    # Still unreadable: stays in quarantine with the new reason.
    broken = _ingest(mailbox, corpus.malformed())
    again = actions.retry_quarantined(broken.inbound_id, actor=Actor.staff(org.admin))
    assert again.status == InboundStatus.QUARANTINED
    assert InboundEmail.objects.get(pk=broken.inbound_id).reason.startswith("retry failed")


def test_a_reply_to_a_closed_case_opens_a_new_one_that_names_it(mailbox, org):
    first = _ingest(mailbox, corpus.gbk_plain())
    case = Case.objects.get(pk=first.case_id)
    Case.objects.filter(pk=case.pk).update(status="closed")
    result = _ingest(
        mailbox, corpus.reply_to("<gbk-1@mail.example.cn>", "<r-3@x>", "wang@example.cn")
    )
    assert result.case_id != case.pk
    assert case.number in CaseMessage.objects.get(case_id=result.case_id).body


def test_the_kind_is_inferred_by_the_assist_analyzer(mailbox, settings):
    settings.KEFU_EMAIL_INFER_KIND = True
    assert (
        actions.infer_kind("你们的快递三天了还没到，我要投诉！", "投诉", "inquiry") == "complaint"
    )
    assert actions.infer_kind("", "", "inquiry") == "inquiry"


def test_a_mailbox_that_stops_fetching_raises_one_alert(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="imap.example.cn", created_at=clock.now() - dt.timedelta(hours=2)
    )
    assert actions.alert_stale_mailboxes() == [mailbox.pk]
    assert actions.alert_stale_mailboxes() == []  # once, until it recovers
    actions.record_fetch_success(mailbox.pk, backlog=0)
    mailbox.refresh_from_db()
    assert mailbox.stale_alerted_at is None and mailbox.backlog == 0
    later = clock.now() + dt.timedelta(hours=1)
    assert actions.alert_stale_mailboxes(now=later) == [mailbox.pk]


def test_a_failure_after_the_case_was_written_quarantines_cleanly(mailbox, monkeypatch):
    from kefu.channels import actions as channel_actions

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(channel_actions, "store_attachments", broken)
    result = _ingest(mailbox, corpus.gbk_plain())
    assert result.status == InboundStatus.QUARANTINED
    row = InboundEmail.objects.get(pk=result.inbound_id)
    assert row.case_id is None and "disk full" in row.reason
    assert Case.objects.count() == 0 and CaseMessage.objects.count() == 0  # rolled back
