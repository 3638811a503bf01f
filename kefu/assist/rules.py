"""Lexicon rules: forbidden phrases, forbidden behaviours, channel etiquette, customer cues.

Every rule reads the normalised text and reports spans mapped back into the original text.
The lexicons (kefu/assist/lexicons/*.toml) hold the words; this module holds the logic.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kefu.assist.lexicons import load
from kefu.assist.normalise import Normalised, normalise

FORBIDDEN_CATEGORIES = (
    "child_can_do",
    "pay_for_what_you_get",
    "impossible",
    "not_our_business",
    "dont_know",
    "company_rules",
    "cant_you_read",
    "contact_later",
    "seen_it_often",
    "common_thing",
)
BEHAVIOURS = ("arguing", "rushing_to_conclusion", "apology_without_action", "blaming_customer")
DIFFICULT_TYPES = (
    "emotional",
    "righteous",
    "stubborn",
    "self_absorbed",
    "prepared",
    "influential",
)
NEEDS = ("functional", "service", "emotional", "price")

_SENTENCE_END = re.compile(r"[。!?;\n]+")


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule match: `label` found at original-text span [start, end)."""

    label: str
    start: int
    end: int
    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class _Rule:
    label: str
    pattern: re.Pattern[str]
    guards: re.Pattern[str] | None
    confidence: float


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _rules(lexicon: str, order: tuple[str, ...]) -> tuple[_Rule, ...]:
    data = load(lexicon)
    return tuple(
        _Rule(
            label=label,
            pattern=_alternation(data[label]["patterns"]),
            guards=_alternation(data[label]["guards"]) if data[label].get("guards") else None,
            confidence=float(data[label]["confidence"]),
        )
        for label in order
        if data[label].get("patterns")
    )


@functools.cache
def forbidden_rules() -> tuple[_Rule, ...]:
    return _rules("forbidden", FORBIDDEN_CATEGORIES)


@functools.cache
def behaviour_rules() -> tuple[_Rule, ...]:
    return _rules("behaviour", BEHAVIOURS)


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _only_punctuation(gap: str) -> bool:
    return len(gap) <= 2 and all(not ch.isalnum() for ch in gap)


def _match(norm: Normalised, rules: tuple[_Rule, ...]) -> list[Hit]:
    text = norm.text
    sentences = _sentences(text)
    hits: list[Hit] = []
    for rule in rules:
        last_end = -1
        for i, (s, e) in enumerate(sentences):
            sentence = text[s:e]
            for m in rule.pattern.finditer(sentence):
                if m.end() == m.start() or s + m.start() < last_end:
                    continue
                if rule.guards is not None:
                    window_end = sentences[i + 1][1] if i + 1 < len(sentences) else e
                    if rule.guards.search(text[s:window_end]):
                        continue
                start, end = norm.span(s + m.start(), s + m.end())
                if (
                    hits
                    and hits[-1].label == rule.label
                    and _only_punctuation(norm.original[hits[-1].end : start])
                ):
                    # "我不知道，不清楚" is one finding, not two.
                    start = hits.pop().start
                hits.append(Hit(rule.label, start, end, norm.original[start:end], rule.confidence))
                last_end = s + m.end()
    return sorted(hits, key=lambda h: (h.start, h.label))


def guarded(label: str, text: str) -> bool:
    """Whether `text` (normalised) matches a near-miss guard of the category."""
    for rule in forbidden_rules():
        if rule.label == label and rule.guards is not None:
            return bool(rule.guards.search(text))
    return False


def forbidden_phrases(norm: Normalised) -> list[Hit]:
    return _match(norm, forbidden_rules())


@functools.cache
def _apology() -> tuple[re.Pattern[str], re.Pattern[str], float]:
    data = load("behaviour")["apology_without_action"]
    return (
        re.compile(data["apology"]),
        _alternation(data["action"]),
        float(data["confidence"]),
    )


def behaviours(norm: Normalised) -> list[Hit]:
    hits = _match(norm, behaviour_rules())
    apology, action, confidence = _apology()
    m = apology.search(norm.text)
    if m and not action.search(norm.text):
        start, end = norm.span(m.start(), m.end())
        hits.append(Hit("apology_without_action", start, end, norm.original[start:end], confidence))
    return sorted(hits, key=lambda h: (h.start, h.label))


def advice(lexicon: str, label: str) -> tuple[str, str]:
    """(advice, suggested rewrite) for a forbidden category or a behaviour."""
    entry = load(lexicon)[label]
    return entry["advice"], entry["suggestion"]


def canonical_phrase(category: str) -> str:
    return str(load("forbidden")[category]["phrase"])


# -- etiquette -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EtiquetteIssue:
    code: str
    message: str
    field: str  # "text", "subject" or "attachments": which input the span points into
    start: int
    end: int
    confidence: float


@functools.cache
def _email() -> dict[str, object]:
    data = load("etiquette")["email"]
    return {
        **data,
        "salutation_re": re.compile(data["salutation"]),
        "closing_re": re.compile(data["closing"]),
        "attachment_re": re.compile(data["attachment_mention"]),
    }


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def email_etiquette(
    norm: Normalised, subject: str | None, attachments: list[str]
) -> list[EtiquetteIssue]:
    cfg = _email()
    msgs: dict[str, str] = cfg["advice"]  # type: ignore[assignment]
    issues: list[EtiquetteIssue] = []
    subj = (subject or "").strip()
    if not subj:
        issues.append(
            EtiquetteIssue("subject_missing", msgs["subject_missing"], "subject", 0, 0, 0.99)
        )
    else:
        folded = normalise(subj).text.strip()
        generic = {g.lower() for g in cfg["generic_subjects"]}  # type: ignore[attr-defined]
        stripped = re.sub(r"^(re|fw|fwd|回复|转发)\s*[:：]\s*", "", folded)
        if folded in generic or len(stripped) < int(cfg["min_subject_chars"]):  # type: ignore[call-overload]
            issues.append(
                EtiquetteIssue(
                    "subject_unclear",
                    msgs["subject_unclear"],
                    "subject",
                    0,
                    len(subject or ""),
                    0.8,
                )
            )
    lines = _lines(norm.text)
    if lines:
        first_s, first_e = lines[0]
        if not cfg["salutation_re"].search(norm.text[first_s:first_e]):  # type: ignore[attr-defined]
            s, e = norm.span(first_s, first_e)
            issues.append(
                EtiquetteIssue("salutation_missing", msgs["salutation_missing"], "text", s, e, 0.85)
            )
        tail = lines[-int(cfg["closing_lines"]) :]  # type: ignore[call-overload]
        tail_text = norm.text[tail[0][0] : tail[-1][1]]
        body_lines = lines[1:-1] if len(lines) > 2 else lines
        closing = cfg["closing_re"].search(tail_text)  # type: ignore[attr-defined]
        if not closing:
            s, e = norm.span(*lines[-1])
            issues.append(
                EtiquetteIssue("closing_missing", msgs["closing_missing"], "text", s, e, 0.8)
            )
        longest = max(body_lines, key=lambda se: se[1] - se[0])
        if longest[1] - longest[0] > int(cfg["max_paragraph_chars"]):  # type: ignore[call-overload]
            s, e = norm.span(*longest)
            issues.append(
                EtiquetteIssue(
                    "paragraphs_unstructured", msgs["paragraphs_unstructured"], "text", s, e, 0.75
                )
            )
    mention = cfg["attachment_re"].search(norm.text)  # type: ignore[attr-defined]
    if mention and not attachments:
        s, e = norm.span(mention.start(), mention.end())
        issues.append(
            EtiquetteIssue("attachment_missing", msgs["attachment_missing"], "text", s, e, 0.9)
        )
    elif attachments and not mention:
        issues.append(
            EtiquetteIssue(
                "attachment_not_mentioned",
                msgs["attachment_not_mentioned"],
                "attachments",
                0,
                len(attachments),
                0.85,
            )
        )
    return issues


@functools.cache
def _phone() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], int, dict[str, str]]:
    data = load("etiquette")["phone"]
    return (
        re.compile(data["greeting"]),
        re.compile(data["company"]),
        re.compile(data["name"]),
        int(data["opening_chars"]),
        data["advice"],
    )


def phone_etiquette(norm: Normalised) -> list[EtiquetteIssue]:
    greeting, company, name, opening_chars, msgs = _phone()
    opening = norm.text[:opening_chars]
    s, e = norm.span(0, len(opening)) if opening else (0, 0)
    issues = []
    for code, pattern in (
        ("greeting_missing", greeting),
        ("company_missing", company),
        ("name_missing", name),
    ):
        if not pattern.search(opening):
            issues.append(EtiquetteIssue(code, msgs[code], "text", s, e, 0.8))
    return issues


# -- customer cues --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CueScore:
    label: str
    score: float
    evidence: tuple[Hit, ...]


@functools.cache
def _cue_table(
    section: str,
) -> tuple[float, tuple[tuple[str, tuple[tuple[re.Pattern[str], float], ...]], ...]]:
    data = load("customer")[section]
    threshold = float(data["threshold"])
    table = tuple(
        (label, tuple((re.compile(p), float(w)) for p, w in data[label]["cues"]))
        for label in data
        if isinstance(data[label], dict)
    )
    return threshold, table


def cue_scores(norm: Normalised, section: str) -> tuple[float, list[CueScore]]:
    """Summed cue weights per label (each cue counted once) with the matching spans."""
    threshold, table = _cue_table(section)
    scores = []
    for label, cues in table:
        total, evidence = 0.0, []
        for pattern, weight in cues:
            found = False
            for m in pattern.finditer(norm.text):
                if m.end() > m.start():
                    found = True
                    s, e = norm.span(m.start(), m.end())
                    evidence.append(Hit(label, s, e, norm.original[s:e], weight))
            if found:
                total += weight
        if total:
            scores.append(CueScore(label, total, tuple(evidence)))
    return threshold, scores


@functools.cache
def _urgency_cues() -> dict[str, re.Pattern[str]]:
    data = load("customer")["urgency"]
    return {level: _alternation(data[level]["cues"]) for level in ("critical", "high")}


def urgency_cue(norm: Normalised) -> Hit | None:
    """The strongest urgency cue in the text, if any."""
    for level, pattern in _urgency_cues().items():
        m = pattern.search(norm.text)
        if m:
            s, e = norm.span(m.start(), m.end())
            return Hit(level, s, e, norm.original[s:e], 0.9 if level == "critical" else 0.7)
    return None


@functools.cache
def _emotion_cues() -> dict[str, re.Pattern[str]]:
    return {k: re.compile(v) for k, v in load("customer")["emotion_cues"].items()}


def emotion_cues(norm: Normalised) -> list[Hit]:
    hits = []
    for label, pattern in _emotion_cues().items():
        for m in pattern.finditer(norm.text):
            s, e = norm.span(m.start(), m.end())
            hits.append(Hit(label, s, e, norm.original[s:e], 0.8))
    return hits
