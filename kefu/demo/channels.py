"""Demo of the email channel and the portal: a GBK email becomes a case with readable
Chinese and gets a threaded reply (written to files under $KEFU_DATA_DIR/mail by the
worker), a broken message waits in quarantine, and a customer can follow it on the portal."""

from __future__ import annotations

import datetime as dt
from email.header import Header
from email.mime.text import MIMEText

from kefu.accounts.actors import Actor
from kefu.cases import actions as case_actions
from kefu.cases.choices import MessageKind
from kefu.channels import actions
from kefu.channels.models import Mailbox
from kefu.core import clock
from kefu.customers.models import Customer
from kefu.demo.people import DemoOrg

ADDRESS = "kefu@demo.kefu.cn"
SUBJECT = "宽带断网，请尽快安排维修"  # the email case (beside the generated cases)


def _gbk_mail(customer: Customer) -> bytes:
    body = (
        "客服您好：\n\n我家的宽带从昨晚十点起一直断网，光猫的 LOS 灯闪红。"
        "麻烦尽快安排师傅上门检修，谢谢！\n\n"
        f"{customer.name}"
    )
    msg = MIMEText(body, "plain", "gbk")
    msg.replace_header("Content-Type", 'text/plain; charset="gb2312"')
    msg["From"] = f"{Header(customer.name, 'gbk').encode()} <{customer.primary_email}>"
    msg["To"] = ADDRESS
    msg["Subject"] = Header(SUBJECT, "gbk").encode()
    msg["Message-ID"] = f"<demo-gbk-{customer.pk}@mail.example.cn>"
    msg["Date"] = "Mon, 23 Nov 2026 22:15:00 +0800"
    return msg.as_bytes()


BROKEN = (
    b"From: someone@example.cn\r\nTo: kefu@demo.kefu.cn\r\nSubject: =?gb2312?B?broken\r\n"
    b"Message-ID: <demo-broken@mail.example.cn>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed\r\n\r\n\xc4\xe3\xba\xc3 truncated without a boundary\r\n"
)


def load_channels_demo(org: DemoOrg, people: list[Customer], now: dt.datetime) -> None:
    team = org.teams.get("cc-hotline")
    mailbox = Mailbox.objects.filter(address=ADDRESS).first() or actions.save_mailbox(
        actions.MailboxInput(
            name="客服邮箱", address=ADDRESS, team=team, default_kind="repair_request"
        ),
        actor=Actor.system("demo"),
    )
    customer = next((c for c in people if c.primary_email), None)
    if customer is None:
        return
    with clock.frozen_at(now):  # one moment, like the replayed history
        result = actions.ingest_email(mailbox.pk, _gbk_mail(customer), source="http")
        actions.ingest_email(mailbox.pk, BROKEN, source="http")
    agent = next((u for u in org.members("cc-hotline")), None) or org.users.get("agent")
    if result.case_id is None or agent is None:
        return
    with clock.frozen_at(now):
        case_actions.accept_case(result.case_id, actor=Actor.staff(agent))
        case_actions.add_message(
            result.case_id,
            actor=Actor.staff(agent),
            kind=MessageKind.OUTBOUND,
            body=f"{customer.name}您好，已为您安排维修师傅今天下午上门，请保持电话畅通。",
        )
