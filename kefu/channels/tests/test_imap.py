"""The worker's IMAP polling against a real Dovecot holding the written corpus; crash
injection at each step of the pipeline: every message ends up stored exactly once."""

import ssl

import pytest

from kefu.cases.models import Attachment, Case, CaseMessage
from kefu.channels import faults, imap, tasks
from kefu.channels.models import InboundEmail, InboundStatus, Mailbox
from kefu.channels.tests import corpus

pytestmark = pytest.mark.django_db(transaction=True)


def _corpus() -> list[bytes]:
    return [
        corpus.gbk_plain(),
        corpus.big5_qp(),
        corpus.mislabelled(),
        corpus.malformed(),
        corpus.reply_to("<gbk-1@mail.example.cn>", "<r-1@mail.example.cn>", "wang@example.cn"),
        corpus.auto_reply(),
        corpus.bounce(),
        corpus.html_only(),
        corpus.forwarded(),
    ]


def test_the_corpus_lands_where_it_should_and_the_broken_one_waits(imap_server, imap_mailbox):
    imap_server.append(*_corpus())
    result = imap.poll_mailbox(imap_mailbox.pk)
    assert (result.fetched, result.quarantined, result.ignored) == (9, 1, 2)
    by_id = {r.message_id: r for r in InboundEmail.objects.all()}
    broken = InboundEmail.objects.get(status=InboundStatus.QUARANTINED)
    assert broken.uid == 4 and broken.raw.read() == corpus.malformed()
    assert by_id["<auto-1@mail.example.cn>"].status == InboundStatus.IGNORED
    assert by_id["<bounce-1@mx.test>"].status == InboundStatus.IGNORED
    gbk = by_id["<gbk-1@mail.example.cn>"]
    assert by_id["<r-1@mail.example.cn>"].case_id == gbk.case_id  # the reply threads

    def body(row: InboundEmail) -> str:
        assert row.case_message is not None
        return row.case_message.body

    assert "一直断网" in body(gbk)
    assert "訂單還沒有收到" in body(by_id["<big5-1@mail.example.tw>"])
    assert "发票抬头写错了" in body(by_id["<mislabel-1@mail.example.cn>"])
    assert Case.objects.count() == 5  # gbk, big5, mislabelled, html, forward
    mailbox = Mailbox.objects.get(pk=imap_mailbox.pk)
    assert mailbox.last_uid == 9 and mailbox.last_success_at is not None
    assert mailbox.backlog == 0 and mailbox.last_error == ""
    assert sorted(imap_server.seen_uids()) == list(range(1, 10))
    # The next round finds nothing new; new mail after the broken one still flows.
    imap_server.append(corpus.subject_number("ZX-2026-999999", "zhou@example.cn"))
    again = imap.poll_mailbox(imap_mailbox.pk)
    assert (again.fetched, again.stored) == (1, 1)


def test_a_20_mb_attachment_is_stored(imap_server, imap_mailbox, settings):
    settings.KEFU_MAX_ATTACHMENT_BYTES = 21 * 1024 * 1024
    imap_server.append(corpus.with_attachments(big_bytes=20 * 1024 * 1024))
    imap.poll_mailbox(imap_mailbox.pk)
    names = sorted(Attachment.objects.values_list("original_name", "size"))
    assert names == [("log.txt", 20 * 1024 * 1024), ("故障照片.png", len(corpus.PNG))]


def test_the_worker_task_polls_due_mailboxes_and_records_errors(imap_server, imap_mailbox):
    imap_server.append(corpus.gbk_plain())
    assert tasks.poll_mailboxes_task.call_local() == 1
    assert CaseMessage.objects.count() == 1
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(imap_password="wrong", last_fetch_at=None)
    assert tasks.poll_mailboxes_task.call_local() == 0
    mailbox = Mailbox.objects.get(pk=imap_mailbox.pk)
    assert mailbox.last_error_at is not None and "AUTHENTICATIONFAILED" in mailbox.last_error


class Killed(BaseException):
    """Like a SIGKILL for the pipeline: no except clause catches it, the transaction dies."""


@pytest.mark.parametrize("step", ["fetch", "parse", "store", "mark_seen"])
@pytest.mark.parametrize("nth", [1, 3])
def test_a_crash_at_any_step_loses_nothing_and_duplicates_nothing(
    imap_server, imap_mailbox, step, nth
):
    raws = [corpus.gbk_plain(), corpus.big5_qp(), corpus.malformed(), corpus.mislabelled()]
    imap_server.append(*raws)
    seen = {"n": 0}

    def crash(at: str) -> None:
        if at == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Killed(at)

    faults.HOOKS.append(crash)
    try:
        with pytest.raises(Killed):
            imap.poll_mailbox(imap_mailbox.pk)
    finally:
        faults.HOOKS.remove(crash)
    imap.poll_mailbox(imap_mailbox.pk)  # the rerun
    imap.poll_mailbox(imap_mailbox.pk)  # and one more for good measure
    rows = list(InboundEmail.objects.order_by("uid").values_list("uid", "status"))
    assert [uid for uid, _s in rows] == [1, 2, 3, 4]
    assert [s for _u, s in rows].count(InboundStatus.QUARANTINED) == 1
    assert CaseMessage.objects.count() == 3 and Case.objects.count() == 3


def test_imap_over_tls_with_certificate_checks(imaps_server, org, monkeypatch):
    mailbox = Mailbox.objects.create(
        name="TLS",
        address="tls@kefu.test",
        imap_host="127.0.0.1",
        imap_port=imaps_server.tls_port,
        imap_security="ssl",
        imap_username=imaps_server.user,
        imap_password=imaps_server.password,
    )
    imaps_server.append(corpus.gbk_plain())
    assert imap.poll_mailbox(mailbox.pk).stored == 1
    # STARTTLS on the plain port works too.
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_port=imaps_server.port, imap_security="starttls"
    )
    imaps_server.append(corpus.big5_qp())
    assert imap.poll_mailbox(mailbox.pk).stored == 1
    # An untrusted certificate is refused, and the error is on the mailbox's health.
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent.pem")
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_port=imaps_server.tls_port, imap_security="ssl"
    )
    with pytest.raises(ssl.SSLError):
        imap.poll_mailbox(mailbox.pk)
    assert "CERTIFICATE_VERIFY_FAILED" in Mailbox.objects.get(pk=mailbox.pk).last_error


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.parametrize("step", ["fetch", "parse", "store", "mark_seen"])
def test_a_real_kill_of_the_worker_process_loses_and_duplicates_nothing(
    imap_server, imap_mailbox, step, tmp_path
):
    import os
    import subprocess
    import sys

    raws = [corpus.gbk_plain(), corpus.big5_qp(), corpus.mislabelled()]
    imap_server.append(*raws)
    env = {**os.environ, "KEFU_DATABASE_URL": _database_url(), "KEFU_DEBUG": "1"}
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "kefu.channels.tests.killed_poller",
            str(imap_mailbox.pk),
            step,
            "2",
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    stored_before = InboundEmail.objects.count()
    assert stored_before == (2 if step == "mark_seen" else 1)
    imap.poll_mailbox(imap_mailbox.pk)  # the worker restarts
    assert list(InboundEmail.objects.order_by("uid").values_list("uid", flat=True)) == [1, 2, 3]
    assert CaseMessage.objects.count() == 3
