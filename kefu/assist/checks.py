"""Checking an agent's draft before it is sent: findings with their spans, and the draft cut
into plain and highlighted segments for the composer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from kefu.accounts.models import Site
from kefu.config import config

SEND_POLICIES = ("confirm", "block")


@dataclass(frozen=True)
class Finding:
    group: str  # "forbidden" | "behaviour"
    code: str
    start: int
    end: int
    phrase: str
    advice: str
    suggestion: str
    confidence: float
    canonical: str = ""
    # The clause the phrase sits in, and the suggested wording that replaces it.
    replace_start: int = 0
    replace_end: int = 0
    replacement: str = ""

    def as_record(self) -> dict[str, Any]:
        """What the override event keeps: enough to audit, nothing derived."""
        return {
            "group": self.group,
            "category": self.code,
            "phrase": self.phrase,
            "start": self.start,
            "end": self.end,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Segment:
    text: str
    finding: int | None = None  # index into ReplyCheck.findings


@dataclass
class ReplyCheck:
    text: str
    findings: list[Finding] = field(default_factory=list)
    etiquette: list[dict[str, Any]] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        """What needs a confirmation (or blocks) before sending: the forbidden phrases and
        behaviours. Etiquette is advice only."""
        return self.findings

    @property
    def clean(self) -> bool:
        return not self.findings and not self.etiquette


def send_policy(site: Site | None = None) -> str:
    """ "confirm" or "block": the case's site decides, else the installation's setting."""
    if site is not None and site.reply_check_policy in SEND_POLICIES:
        return site.reply_check_policy
    policy = config.assist_send_policy
    return policy if policy in SEND_POLICIES else "confirm"


def check_reply(
    text: str,
    *,
    channel: str | None = None,
    subject: str | None = None,
    attachments: list[str] | None = None,
) -> ReplyCheck:
    """Analyse a draft reply (agent role). Empty text gives an empty check, not an error."""
    if not text or not text.strip():
        return ReplyCheck(text=text or "", segments=[Segment(text or "")])
    from kefu.assist.analyze import analyze  # scikit-learn loads on first use

    result = analyze(text, "agent", channel=channel, subject=subject, attachments=attachments)
    findings = [
        Finding(
            "forbidden",
            f["category"],
            f["start"],
            f["end"],
            f["phrase"],
            f["advice"],
            f["suggestion"],
            f["confidence"],
            f.get("canonical", ""),
        )
        for f in result["forbidden"]
    ] + [
        Finding(
            "behaviour",
            b["type"],
            b["start"],
            b["end"],
            b["phrase"],
            b["advice"],
            b["suggestion"],
            b["confidence"],
        )
        for b in result["behaviour"]
    ]
    findings = [with_replacement(text, f) for f in findings]
    findings.sort(key=lambda f: (f.start, f.end))
    return ReplyCheck(
        text=text,
        findings=findings,
        etiquette=list(result["etiquette"]),
        segments=segments(text, findings),
    )


_CLAUSE_END = set("，,。！？!?；;\n")
_TERMINAL = "。！？!?；;，,"


def with_replacement(text: str, f: Finding) -> Finding:
    """Where one click puts the suggested wording: the clause around the phrase (between
    punctuation marks), without doubling the punctuation that follows it."""
    start = f.start
    while start > 0 and text[start - 1] not in _CLAUSE_END:
        start -= 1
    while start < f.start and text[start].isspace():
        start += 1
    end = f.end
    while end < len(text) and text[end] not in _CLAUSE_END:
        end += 1
    replacement = f.suggestion
    if end < len(text):
        replacement = replacement.rstrip(_TERMINAL)
    return replace(f, replace_start=start, replace_end=end, replacement=replacement)


def segments(text: str, findings: list[Finding]) -> list[Segment]:
    """The text in order, each highlighted run pointing at its finding (overlaps: the
    earlier finding keeps the characters)."""
    out: list[Segment] = []
    pos = 0
    for i, f in enumerate(findings):
        start, end = max(f.start, pos), f.end
        if end <= start:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], i))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out
