# ruff: noqa: E501
"""A written corpus of raw emails: each builder returns the bytes a mail server would hold."""

from __future__ import annotations

import base64
import quopri
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _headers(msg, *, sender, subject, msgid, to="support@kefu.test", extra=None):  # type: ignore[no-untyped-def]
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    msg["Date"] = "Tue, 24 Nov 2026 10:00:00 +0800"
    for k, v in (extra or {}).items():
        msg[k] = v
    return msg


def gbk_plain(msgid: str = "<gbk-1@mail.example.cn>", sender: str = "") -> bytes:
    """GBK body (declared gb2312, holding a GBK-only character), base64, RFC 2047 subject."""
    body = "您好：\n我的宽带从昨天起一直断网，麻烦尽快派人维修。谢谢！\n——王先生（堃）"
    msg = MIMEText(body, "plain", "gbk")
    msg.replace_header("Content-Type", 'text/plain; charset="gb2312"')
    subject = Header("宽带断网，请尽快维修", "gbk").encode()
    return _headers(
        msg,
        sender=sender or f"{Header('王先生', 'gbk').encode()} <wang@example.cn>",
        subject=subject,
        msgid=msgid,
    ).as_bytes()


def big5_qp(msgid: str = "<big5-1@mail.example.tw>") -> bytes:
    body = "您好，我的訂單還沒有收到，請幫忙查詢一下。謝謝！".encode("big5")
    raw = (
        (
            f"From: =?big5?B?{base64.b64encode('陳小姐'.encode('big5')).decode()}?= <chen@example.tw>\r\n"
            "To: support@kefu.test\r\n"
            f"Subject: =?big5?Q?{quopri.encodestring('查詢訂單'.encode('big5'), header=True).decode()}?=\r\n"
            f"Message-ID: {msgid}\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=big5\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        + quopri.encodestring(body)
        + b"\r\n"
    )
    return raw


def mislabelled(msgid: str = "<mislabel-1@mail.example.cn>") -> bytes:
    """Declared ISO-8859-1, actually GB18030 bytes (an old client's default)."""
    body = "发票抬头写错了，能帮我重新开一张吗？".encode("gb18030")
    return (
        (
            "From: li@example.cn\r\nTo: support@kefu.test\r\nSubject: =?utf-8?B?"
            + base64.b64encode("发票问题".encode()).decode()
            + f"?=\r\nMessage-ID: {msgid}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )


def html_only(msgid: str = "<html-1@mail.example.cn>") -> bytes:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>请问<b>会员积分</b>怎么兑换？</p><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(1)">点这里</a></body></html>'
    )
    msg = MIMEText(html, "html", "utf-8")
    return _headers(msg, sender="zhao@example.cn", subject="积分兑换", msgid=msgid).as_bytes()


def reply_to(in_reply_to: str, msgid: str, sender: str, subject: str = "Re: 宽带断网") -> bytes:
    body = (
        "师傅今天还没来，请再催一下。\n\n"
        "在 2026年11月24日 10:00，客服 <support@kefu.test> 写道：\n"
        "> 您好，已为您安排维修。\n> 客服中心\n"
    )
    msg = MIMEText(body, "plain", "utf-8")
    return _headers(
        msg,
        sender=sender,
        subject=subject,
        msgid=msgid,
        extra={"In-Reply-To": in_reply_to, "References": in_reply_to},
    ).as_bytes()


def subject_number(number: str, sender: str, msgid: str = "<num-1@mail.example.cn>") -> bytes:
    msg = MIMEText("补充一下：断网时路由器红灯常亮。", "plain", "utf-8")
    return _headers(msg, sender=sender, subject=f"Re: [{number}] 宽带", msgid=msgid).as_bytes()


def auto_reply(msgid: str = "<auto-1@mail.example.cn>") -> bytes:
    msg = MIMEText("我正在休假，11月30日回来。", "plain", "utf-8")
    return _headers(
        msg,
        sender="wang@example.cn",
        subject="自动回复: 宽带断网",
        msgid=msgid,
        extra={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    ).as_bytes()


def bounce(original_msgid: str = "<kefu.1@kefu.test>", msgid: str = "<bounce-1@mx.test>") -> bytes:
    return (
        "From: MAILER-DAEMON@mx.test\r\nTo: support@kefu.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {msgid}\r\nIn-Reply-To: {original_msgid}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\r\n\r\n'
        "--BB\r\nContent-Type: text/plain\r\n\r\n"
        "Delivery to the following recipient failed: nobody@example.cn\r\n"
        "--BB\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.test\r\n\r\nFinal-Recipient: rfc822; nobody@example.cn\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "--BB--\r\n"
    ).encode()


def with_attachments(msgid: str = "<att-1@mail.example.cn>", big_bytes: int = 0) -> bytes:
    msg = MIMEMultipart("mixed")
    msg.attach(MIMEText("附件是故障照片和说明。", "plain", "utf-8"))
    image = MIMEApplication(PNG, "png")
    image.replace_header("Content-Type", "image/png")
    image.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "故障照片.png"))
    msg.attach(image)
    if big_bytes:
        big = MIMEApplication(b"A" * big_bytes, "octet-stream")
        big.replace_header("Content-Type", "text/plain")
        big.add_header("Content-Disposition", "attachment", filename="log.txt")
        msg.attach(big)
    exe = MIMEApplication(b"MZ\x90\x00" * 10, "octet-stream")
    exe.add_header("Content-Disposition", "attachment", filename="setup.exe")
    msg.attach(exe)
    return _headers(msg, sender="sun@example.cn", subject="故障照片", msgid=msgid).as_bytes()


def forwarded(msgid: str = "<fwd-1@mail.example.cn>") -> bytes:
    body = (
        "请看下面这封邮件，我没有订过这个套餐。\n\n"
        "---------- Forwarded message ---------\n"
        "From: 营业厅 <notice@carrier.example>\n"
        "Subject: 套餐变更通知\n\n"
        "您的套餐已变更为 199 元/月。\n"
    )
    msg = MIMEText(body, "plain", "utf-8")
    return _headers(
        msg, sender="qian@example.cn", subject="Fwd: 套餐变更通知", msgid=msgid
    ).as_bytes()


def malformed(msgid: str = "<broken-1@mail.example.cn>") -> bytes:
    """multipart without a boundary: the structure cannot be read."""
    return (
        "From: broken@example.cn\r\nTo: support@kefu.test\r\nSubject: broken\r\n"
        f"Message-ID: {msgid}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed\r\n\r\n"
        "this is not really multipart\r\n"
    ).encode()
