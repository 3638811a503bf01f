"""Email ingest: 10,000 stored messages of mixed charsets (GBK declared gb2312, Big5 in
quoted-printable, UTF-8 HTML, a mislabelled Latin-1 that is GB18030, replies that thread)
through the ingest action: messages per second and peak Python memory."""

from __future__ import annotations

import resource
import time
import tracemalloc
import uuid
from email.header import Header
from email.mime.text import MIMEText

from django.conf import settings
from django.db import transaction

from kefu.channels import actions
from kefu.channels.models import Mailbox

from .measure import Context, measurement
from .results import Figure, Section

MESSAGES = 10_000
BODIES = [
    "您好，我的宽带从昨天起一直断网，麻烦尽快派人维修。",
    "您好，我的訂單還沒有收到，請幫忙查詢一下。謝謝！",
    "<p>请问<b>会员积分</b>怎么兑换？</p>",
    "发票抬头写错了，能帮我重新开一张吗？",
]


def _message(i: int, run: str, first_ids: list[str]) -> bytes:
    variant = i % 5
    msgid = f"<bench-{run}-{i}@mail.example.cn>"
    sender = f"user{i % 997}@example.cn"
    if variant == 0:
        msg = MIMEText(BODIES[0], "plain", "gbk")
        msg.replace_header("Content-Type", 'text/plain; charset="gb2312"')
        subject = Header("宽带断网", "gbk").encode()
    elif variant == 1:
        msg = MIMEText(BODIES[1], "plain", "big5")
        subject = Header("查詢訂單", "big5").encode()
    elif variant == 2:
        msg = MIMEText(BODIES[2], "html", "utf-8")
        subject = Header("积分兑换", "utf-8").encode()
    elif variant == 3:
        raw = (
            f"From: {sender}\r\nTo: support@bench.test\r\nSubject: invoice\r\n"
            f"Message-ID: {msgid}\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        ).encode() + BODIES[3].encode("gb18030")
        return raw
    else:
        msg = MIMEText("师傅今天还没来，请再催一下。\n\n> 已为您安排维修。", "plain", "utf-8")
        subject = "Re: 宽带断网"
        if first_ids:
            msg["In-Reply-To"] = first_ids[(i // 5) % len(first_ids)]
    msg["From"] = sender
    msg["To"] = "support@bench.test"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    if variant == 0:
        first_ids.append(msgid)
    return msg.as_bytes()


@measurement("channels", "Email ingest: mixed charsets", order=120)
def channels(ctx: Context) -> Section:
    count = min(MESSAGES, max(200, ctx.cases // 10))
    run = uuid.uuid4().hex[:8]
    first_ids: list[str] = []
    raws = [_message(i, run, first_ids) for i in range(count)]
    memory_raws = [_message(i, run + "m", []) for i in range(min(500, count))]
    infer = settings.KEFU_EMAIL_INFER_KIND
    settings.KEFU_EMAIL_INFER_KIND = False  # the ingest itself; kind inference is assist's
    outcomes: dict[str, int] = {}
    try:
        # One outer transaction, rolled back at the end: the benchmark database keeps none
        # of these cases (the other sections count theirs). Each message still runs in its
        # own savepoint, as in production; the per-message COMMIT is not in the figure.
        with transaction.atomic():
            mailbox, _ = Mailbox.objects.get_or_create(
                address="support@bench.test", defaults={"name": "bench"}
            )
            # Throughput without tracing (tracemalloc slows Python down several times) …
            t0 = time.perf_counter()
            for raw in raws:
                status = actions.ingest_email(mailbox.pk, raw, source="bench").status
                outcomes[status] = outcomes.get(status, 0) + 1
            seconds = time.perf_counter() - t0
            # … then the peak memory of the ingest over a further batch, traced.
            tracemalloc.start()
            for raw in memory_raws:
                actions.ingest_email(mailbox.pk, raw, source="bench")
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            transaction.set_rollback(True)
    finally:
        settings.KEFU_EMAIL_INFER_KIND = infer
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Section(
        key="channels",
        title="Email ingest: mixed charsets",
        about=(
            f"{count:,} stored messages (GBK declared gb2312, Big5 quoted-printable, UTF-8 "
            "HTML, mislabelled Latin-1, replies threading by In-Reply-To) through the ingest "
            "action on one process; kind inference off (measured by the assist benchmark); in "
            "one transaction rolled back at the end, so the database keeps none of them and "
            "the per-message commit is not counted."
        ),
        figures=[
            Figure.single("messages per second", round(count / seconds, 1), unit="msg/s", n=count),
            Figure.single(
                "peak Python memory while ingesting (traced)",
                round(peak / 1024 / 1024, 1),
                unit="MB",
                n=len(memory_raws),
            ),
            Figure.single("peak resident memory of the process", round(rss_mb, 1), unit="MB"),
        ],
        notes=[", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))],
    )
