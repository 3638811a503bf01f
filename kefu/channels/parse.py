"""Raw MIME → ParsedEmail: headers (RFC 2047), text and sanitised HTML bodies, attachments.

Pure functions, no database. A message that cannot be read raises Unparseable with the
reason; the ingest action quarantines it.
"""

from __future__ import annotations

import email
import email.errors
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import nh3

from kefu.channels.charsets import decode_bytes

# Defects after which the structure of the message is not what it claims to be.
_FATAL_DEFECTS = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
)
SAFE_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "font", "h1", "h2", "h3", "h4", "hr",
    "i", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
_AUTO_SUBJECT = re.compile(
    r"^\s*(自动回复|自動回覆|auto(matic)?[ -]?(reply|response)|out of (the )?office|"
    r"absence|休假|不在办公室)",
    re.IGNORECASE,
)
_BOUNCE_FROM = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver|delivery status notification|mail delivery failed|returned mail|"
    r"退信|系统退信|投递失败)",
    re.IGNORECASE,
)
# Where quoted reply history starts (clients in English and Chinese).
_QUOTE_MARKERS = [
    re.compile(r"^\s*On .{1,200}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*在\s?.{1,200}(写道|寫道)\s*[：:]\s*$"),
    re.compile(r"^\s*-{2,}\s*(Original Message|原始邮件|原始郵件|回复的原邮件)\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*(发件人|寄件者|From)\s*[：:].+$"),
    re.compile(r"^\s*_{10,}\s*$"),
]
_FORWARD_MARKERS = re.compile(
    r"^\s*-{2,}\s*(Forwarded message|转发的邮件|轉寄的郵件|原始邮件转发)\s*-{2,}", re.I | re.M
)


class Unparseable(Exception):
    """The raw source is not a readable email; the message says why."""


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedEmail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    from_name: str
    from_address: str
    to: list[str]
    date: Any
    text: str  # the full plain text (from the text part, else rendered from HTML)
    reply_text: str  # the text with quoted history trimmed (forwarded content kept)
    html: str  # sanitised
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reply: str = ""  # why it is an automatic message ("" when a person wrote it)
    bounce: bool = False
    charsets: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        return list(dict.fromkeys(self.in_reply_to + self.references[::-1]))


def header_text(value: Any) -> str:
    """An RFC 2047 header as text, each encoded word decoded with charset repair."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        value = str(value)
    parts = []
    try:
        chunks = decode_header(str(value))
    except Exception:
        return " ".join(str(value).split())
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset)[0])
        else:
            parts.append(chunk)
    return " ".join("".join(parts).split())


def _ids(value: Any) -> list[str]:
    return re.findall(r"<[^<>\s]+>", header_text(value))


def _part_text(part: Message, charsets: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text, used = decode_bytes(payload, part.get_content_charset())
    charsets.append(used)
    return text.replace("\r\n", "\n")


def _filename(part: Message) -> str:
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, value)
        charset, _lang, value = raw
        data = value.encode("latin-1", "replace") if isinstance(value, str) else value
        return decode_bytes(data, charset)[0]
    return header_text(raw) if raw else ""


class _TextRenderer(HTMLParser):
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "hr", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head", "title"}:
            self._skip += 1
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head", "title"}:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    renderer = _TextRenderer()
    renderer.feed(html)
    renderer.close()
    lines = [" ".join(line.split()) for line in "".join(renderer.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=SAFE_TAGS,
        # No images: a remote one would tell the sender when an agent reads the mail
        # (inline images are stored as attachments anyway).
        attributes={"a": {"href", "title"}, "td": {"colspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def trim_quoted(text: str) -> str:
    """The new part of a reply: cut at the first quote marker, unless it is a forward."""
    lines = text.splitlines()
    cut = None
    for i, line in enumerate(lines):
        if _FORWARD_MARKERS.match(line):
            break
        if any(m.match(line) for m in _QUOTE_MARKERS):
            cut = i
            break
    if cut is None:
        # A trailing block of "> " lines is quoted history too.
        end = len(lines)
        while end > 0 and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
            end -= 1
        if end > 0 and end < len(lines) and any(x.startswith(">") for x in lines[end:]):
            cut = end
    kept = lines if cut is None else lines[:cut]
    trimmed = "\n".join(kept).strip()
    return trimmed or text.strip()


def _auto_reply_reason(msg: Message, subject: str) -> str:
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response"):
        if msg.get(name) is not None:
            return name
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in {"auto_reply", "bulk", "junk", "list"}:
        return f"Precedence: {precedence}"
    if msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None:
        return "mailing list"
    if _AUTO_SUBJECT.match(subject):
        return "subject"
    return ""


def _is_bounce(msg: Message, from_address: str, subject: str) -> bool:
    if msg.get_content_type() == "multipart/report":
        return True
    if any(p.get_content_type() == "message/delivery-status" for p in msg.walk()):
        return True
    return bool(_BOUNCE_FROM.match(from_address) and _BOUNCE_SUBJECT.match(subject))


def parse_email(raw: bytes) -> ParsedEmail:
    if not raw or not raw.strip():
        raise Unparseable("empty message")
    try:
        msg = email.message_from_bytes(raw)
    except Exception as exc:
        raise Unparseable(f"MIME parser failed: {exc}") from exc
    if not msg.keys():
        raise Unparseable("no headers")
    fatal = [d for p in msg.walk() for d in p.defects if isinstance(d, _FATAL_DEFECTS)]
    if fatal:
        raise Unparseable(f"malformed MIME structure: {type(fatal[0]).__name__}")
    from_name, from_address = parseaddr(header_text(msg.get("From")))
    if "@" not in from_address:
        raise Unparseable("no sender address (From)")
    subject = header_text(msg.get("Subject"))
    charsets: list[str] = []
    plain: list[str] = []
    html: list[str] = []
    attachments: list[ParsedAttachment] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        name = _filename(part)
        if ctype == "message/delivery-status":
            continue
        if ctype in {"text/plain", "text/html"} and disposition != "attachment" and not name:
            text = _part_text(part, charsets)
            (plain if ctype == "text/plain" else html).append(text)
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        inline = disposition == "inline" or bool(part.get("Content-ID"))
        if not name:
            ext = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}.get(ctype, "")
            name = f"attachment{len(attachments) + 1}{ext or '.bin'}"
        attachments.append(
            ParsedAttachment(name=name, content_type=ctype, data=data, inline=inline)
        )
    # A forwarded message attached as message/rfc822 is kept whole as an .eml file.
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                data = inner[0].as_bytes()
                subj = header_text(inner[0].get("Subject")) or "forwarded"
                attachments.append(ParsedAttachment(f"{subj[:60]}.eml", "message/rfc822", data))
    html_text = "\n".join(html)
    text = "\n\n".join(t.strip() for t in plain if t.strip())
    if not text and html_text:
        text = html_to_text(html_text)
    try:
        date = parsedate_to_datetime(str(msg.get("Date"))) if msg.get("Date") else None
    except (TypeError, ValueError):
        date = None
    return ParsedEmail(
        message_id=(_ids(msg.get("Message-ID")) or [""])[0][:250],
        in_reply_to=_ids(msg.get("In-Reply-To")),
        references=_ids(msg.get("References")),
        subject=subject,
        from_name=from_name,
        from_address=from_address.strip().lower(),
        to=[a for _n, a in getaddresses([header_text(v) for v in msg.get_all("To", [])])],
        date=date,
        text=text,
        reply_text=trim_quoted(text) if text else "",
        html=sanitise_html(html_text) if html_text else "",
        attachments=attachments,
        auto_reply=_auto_reply_reason(msg, subject),
        bounce=_is_bounce(msg, from_address, subject),
        charsets=charsets,
    )
