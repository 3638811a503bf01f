"""Composing a reply email: bilingual text and HTML parts, threading headers, attachments."""

from __future__ import annotations

import re
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.cases.models import Case, CaseMessage
from kefu.channels.models import InboundEmail, OutboundEmail, OutboundStatus
from kefu.core.links import public_link

LANGUAGES = ("zh-hans", "en")
# "Re:", "回复：", "答复:" … already on the customer's subject.
_REPLY_PREFIX = re.compile(r"^(\s*(re|aw|fw|fwd|回复|答复|回覆)\s*[:：]\s*)+", re.IGNORECASE)


def new_message_id(address: str) -> str:
    domain = address.rpartition("@")[2] or "kefu.localhost"
    return make_msgid("kefu", domain=domain)


def reply_subject(case: Case) -> str:
    """The customer's own subject, prefixed, with the case number (threads replies back)."""
    with translation.override("zh-hans"):
        prefix = _("回复")
    with translation.override("en"):
        prefix_en = _("回复")
    subject = _REPLY_PREFIX.sub("", case.subject).strip() or case.subject
    return f"{prefix}/{prefix_en}: {subject} [{case.number}]"[:300]


def thread_ids(case: Case) -> tuple[str, list[str]]:
    """(In-Reply-To, References): the customer's last email, then the whole chain."""
    inbound = list(
        InboundEmail.objects.filter(case=case)
        .exclude(message_id="")
        .order_by("received_at", "id")
        .values_list("received_at", "message_id")
    )
    outbound = list(
        OutboundEmail.objects.filter(case=case, status=OutboundStatus.SENT)
        .order_by("created_at", "id")
        .values_list("created_at", "message_id")
    )
    chain = [mid for _at, mid in sorted(inbound + outbound, key=lambda x: x[0])]
    last_inbound = inbound[-1][1] if inbound else (chain[-1] if chain else "")
    return last_inbound, chain[-20:]


def portal_url(case: Case) -> str:
    return public_link("channels:portal_case", case.number)


def build_reply(out: OutboundEmail, message: CaseMessage) -> EmailMultiAlternatives:
    case = message.case
    sender = out.mailbox.address if out.mailbox else settings.DEFAULT_FROM_EMAIL
    if out.mailbox is not None:
        sender = f"{out.mailbox.name} <{out.mailbox.address}>"
    context = {
        "case": case,
        "body": message.body,
        "agent": message.author_user.label if message.author_user else "",
        "portal_url": portal_url(case),
    }
    texts, htmls = [], []
    for language in LANGUAGES:
        with translation.override(language):
            texts.append(render_to_string("channels/email/reply_footer.txt", context).strip())
            htmls.append(render_to_string("channels/email/reply_footer.html", context).strip())
    text = message.body.strip() + "\n\n-- \n" + "\n\n".join(texts) + "\n"
    html = render_to_string(
        "channels/email/reply.html", {**context, "footers": htmls, "lang": "zh-Hans"}
    )
    in_reply_to, references = thread_ids(case)
    headers = {
        "Message-ID": out.message_id,
        "Auto-Submitted": "auto-replied" if not message.author_user else "no",
        "X-Kefu-Case": case.number,
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    email = EmailMultiAlternatives(
        subject=out.subject, body=text, from_email=sender, to=[out.to_address], headers=headers
    )
    email.attach_alternative(html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as f:
            email.attach(attachment.original_name, f.read(), attachment.content_type)
    return email
