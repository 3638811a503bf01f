"""The public analyzer: `analyze(text, role, channel=None, subject=None, attachments=None)`.

Pure functions, no database. For a customer message: kind, complaint cause, emotion,
difficult-complainant type (with its playbook), urgency and needs. For an agent's reply:
forbidden phrases (with advice and a suggested rewrite), forbidden behaviours, and channel
etiquette for email and phone. Every finding has a confidence and evidence spans
(start/end character offsets into the text exactly as given).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kefu.assist import rules
from kefu.assist.lexicons import DIR as LEXICON_DIR
from kefu.assist.lexicons import load
from kefu.assist.model import Model, Prediction
from kefu.assist.normalise import Normalised, normalise
from kefu.assist.train import get_model
from kefu.core.errors import ValidationFailed

ROLES = ("customer", "agent")
CHANNELS = ("phone", "email", "web", "chat", "wechat", "walk_in", "on_site", "sms")
MAX_TEXT = 20_000
# The playbook order breaks ties: the type with the heavier consequences wins.
_DIFFICULT_PRIORITY = (
    "influential",
    "prepared",
    "emotional",
    "stubborn",
    "self_absorbed",
    "righteous",
)
_URGENCY_RANK = {"low": 0, "normal": 1, "high": 2, "critical": 3}
# A lexicon emotion cue overrides the model only when the model is this unsure.
_EMOTION_OVERRIDE_BELOW = 0.6
# The agent-reply model reports a paraphrase the lexicons missed from this probability on.
AGENT_MODEL_THRESHOLD = 0.6
# Likewise for a difficult-complainant type the cue lexicon does not recognise.
DIFFICULT_MODEL_THRESHOLD = 0.6
_TRIM = " \t\n,.!?;:~、。…"


@dataclass(frozen=True, slots=True)
class Request:
    text: str
    role: str
    channel: str | None = None
    subject: str | None = None
    attachments: tuple[str, ...] = ()


def validate(
    text: Any,
    role: Any,
    channel: Any = None,
    subject: Any = None,
    attachments: Any = None,
) -> Request:
    """Check the input; raise ValidationFailed naming every bad field."""
    fields: dict[str, str] = {}
    if not isinstance(text, str) or not text.strip():
        fields["text"] = "请输入要分析的文字 / text must not be empty"
    elif len(text) > MAX_TEXT:
        fields["text"] = f"文字过长（最多 {MAX_TEXT} 字）/ text longer than {MAX_TEXT} characters"
    if role not in ROLES:
        fields["role"] = "role 必须是 customer 或 agent / role must be 'customer' or 'agent'"
    if channel is not None and channel not in CHANNELS:
        fields["channel"] = f"未知渠道 / unknown channel; one of: {', '.join(CHANNELS)}"
    if subject is not None and not isinstance(subject, str):
        fields["subject"] = "subject must be a string"
    if attachments is not None and (
        not isinstance(attachments, list | tuple)
        or not all(isinstance(a, str) and a.strip() for a in attachments)
    ):
        fields["attachments"] = "attachments must be a list of file names"
    if fields:
        raise ValidationFailed("无法分析：输入有误 / cannot analyse this input", fields=fields)
    return Request(text, role, channel, subject, tuple(attachments or ()))


def analyze(
    text: str,
    role: str,
    channel: str | None = None,
    subject: str | None = None,
    attachments: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Analyse one message. Raises ValidationFailed for empty text or an unknown role."""
    req = validate(text, role, channel, subject, attachments)
    return analyze_many([req])[0]


def analyze_many(requests: Iterable[Request]) -> list[dict[str, Any]]:
    """Analyse validated requests; customer messages share one model pass (batch speed)."""
    reqs = list(requests)
    if not reqs:
        return []
    model = get_model()
    norms = [normalise(r.text) for r in reqs]
    customer = [i for i, r in enumerate(reqs) if r.role == "customer"]
    results: list[dict[str, Any]] = [{} for _ in reqs]
    if model is None:  # none trained yet (the worker is on it): the lexicon cues alone
        for i in customer:
            results[i] = _customer_by_rules(norms[i])
    else:
        predictions = model.predict([norms[i] for i in customer]) if customer else []
        for i, pred in zip(customer, predictions, strict=True):
            results[i] = _customer(norms[i], pred, model.fingerprint)
    for i, r in enumerate(reqs):
        if r.role == "agent":
            results[i] = _agent(norms[i], r, model)
    return results


# -- customer -------------------------------------------------------------------------------


def _evidence(norm: Normalised, spans: Iterable[tuple[int, int]]) -> list[dict[str, Any]]:
    unique = sorted(set(spans))
    return [{"start": s, "end": e, "text": norm.original[s:e]} for s, e in unique]


def _label(norm: Normalised, p: Prediction) -> dict[str, Any]:
    return {
        "label": p.label,
        "confidence": p.confidence,
        "evidence": _evidence(norm, p.evidence),
        "probabilities": p.probabilities,
    }


def _customer(norm: Normalised, pred: dict[str, Prediction], fingerprint: str) -> dict[str, Any]:
    kind = _label(norm, pred["kind"])
    cause = _label(norm, pred["complaint_cause"]) if kind["label"] == "complaint" else None
    return {
        "role": "customer",
        "kind": kind,
        "complaint_cause": cause,
        "emotion": _emotion(norm, pred["emotion"]),
        "difficult_type": _difficult(norm, pred.get("difficult")),
        "urgency": _urgency(norm, pred["urgency"]),
        "needs": _needs(norm, pred),
        "versions": {"model": fingerprint, "lexicon": _lexicon_version()},
    }


_KIND_BY_EMOTION = {"angry": "complaint", "disappointed": "complaint", "satisfied": "praise"}
_RULES_ONLY_CONFIDENCE = 0.3


def _from_rules(
    norm: Normalised, label: str, hit: rules.Hit | None = None, confidence: float = 0.0
) -> dict[str, Any]:
    confidence = hit.confidence if hit is not None else confidence or _RULES_ONLY_CONFIDENCE
    return {
        "label": label,
        "confidence": confidence,
        "evidence": _evidence(norm, [(hit.start, hit.end)] if hit is not None else []),
        "probabilities": {label: confidence},
        "source": "lexicon",
    }


def _customer_by_rules(norm: Normalised) -> dict[str, Any]:
    """A customer text read by the lexicon cues alone, with modest confidence, while no
    model is trained. Its model version is empty, so a stored analysis is recomputed once
    the model exists."""
    cues = rules.emotion_cues(norm)
    emotion = _from_rules(norm, cues[0].label, cues[0]) if cues else _from_rules(norm, "neutral")
    kind = _KIND_BY_EMOTION.get(emotion["label"], "inquiry")
    urgency_cue = rules.urgency_cue(norm)
    threshold, scores = rules.cue_scores(norm, "needs")
    return {
        "role": "customer",
        "kind": _from_rules(norm, kind),
        "complaint_cause": _from_rules(norm, "other") if kind == "complaint" else None,
        "emotion": emotion,
        "difficult_type": _difficult(norm, None),
        "urgency": _from_rules(norm, urgency_cue.label, urgency_cue)
        if urgency_cue is not None
        else _from_rules(norm, "normal", confidence=0.5),
        "needs": [
            {
                "label": s.label,
                "confidence": round(min(0.9, 0.5 + 0.1 * s.score), 3),
                "evidence": _evidence(norm, [(h.start, h.end) for h in s.evidence]),
            }
            for s in scores
            if s.score >= threshold
        ],
        "versions": {"model": "", "lexicon": _lexicon_version()},
    }


def _emotion(norm: Normalised, p: Prediction) -> dict[str, Any]:
    out = _label(norm, p)
    cues = rules.emotion_cues(norm)
    agreeing = [h for h in cues if h.label == p.label]
    if agreeing:
        out["evidence"] = _evidence(
            norm,
            [(h.start, h.end) for h in agreeing]
            + [(e["start"], e["end"]) for e in out["evidence"]],
        )
    elif cues and p.confidence < _EMOTION_OVERRIDE_BELOW:
        cue = cues[0]
        out.update(
            label=cue.label,
            confidence=cue.confidence,
            evidence=_evidence(norm, [(cue.start, cue.end)]),
            source="lexicon",
        )
    return out


def _difficult(norm: Normalised, pred: Prediction | None) -> dict[str, Any] | None:
    threshold, scores = rules.cue_scores(norm, "difficult")
    passing = [s for s in scores if s.score >= threshold]
    if passing:
        best = max(passing, key=lambda s: (s.score, -_DIFFICULT_PRIORITY.index(s.label)))
        label, source = best.label, "lexicon"
        confidence = round(min(0.95, 0.55 + 0.2 * best.score), 3)
        spans = [(h.start, h.end) for h in best.evidence]
    elif pred is not None and pred.label != "none" and pred.confidence >= DIFFICULT_MODEL_THRESHOLD:
        label, source, confidence, spans = pred.label, "model", pred.confidence, list(pred.evidence)
    else:
        return None
    entry = load("customer")["difficult"][label]
    return {
        "label": label,
        "name": entry["label"],
        "confidence": confidence,
        "evidence": _evidence(norm, spans),
        "playbook": entry["playbook"],
        "source": source,
    }


def _urgency(norm: Normalised, p: Prediction) -> dict[str, Any]:
    out = _label(norm, p)
    cue = rules.urgency_cue(norm)
    if cue is not None and cue.label == p.label:
        spans = [(cue.start, cue.end)] + [(e["start"], e["end"]) for e in out["evidence"]]
        out["evidence"] = _evidence(norm, spans)
    elif cue is not None and cue.label == "critical":
        out.update(
            label="critical",
            confidence=cue.confidence,
            evidence=_evidence(norm, [(cue.start, cue.end)]),
            source="lexicon",
        )
    return out


def _needs(norm: Normalised, pred: dict[str, Prediction]) -> list[dict[str, Any]]:
    _, cue_scores = rules.cue_scores(norm, "needs")
    cue_spans = {s.label: [(h.start, h.end) for h in s.evidence] for s in cue_scores}
    needs = []
    for need in rules.NEEDS:
        p = pred[f"need_{need}"]
        yes = p.probabilities.get("1", 0.0)
        if yes >= 0.5:
            spans = cue_spans.get(need) or (p.evidence if p.label == "1" else ())
            needs.append(
                {"label": need, "confidence": round(yes, 3), "evidence": _evidence(norm, spans)}
            )
    return needs


# -- agent ----------------------------------------------------------------------------------


def _learned(norm: Normalised, model: Model | None, known: set[str]) -> list[rules.Hit]:
    """Paraphrases the lexicons missed: labels the agent model is sure of, placed on the
    sentence that supports them most."""
    if model is None or model.agent is None:
        return []
    agent = model.agent
    whole = agent.predict([norm], evidence=False)[0]
    flagged = {
        label: p.probabilities.get("1", 0.0)
        for label, p in whole.items()
        if label not in known and p.probabilities.get("1", 0.0) >= AGENT_MODEL_THRESHOLD
    }
    if not flagged:
        return []
    spans = []
    for s, e in rules._sentences(norm.text):
        while s < e and norm.text[s] in _TRIM:
            s += 1
        while e > s and norm.text[e - 1] in _TRIM:
            e -= 1
        if e > s:
            spans.append(norm.span(s, e))
    if len(spans) > 1:
        per_sentence = agent.predict(
            [normalise(norm.original[s:e]) for s, e in spans], evidence=False
        )
    else:
        per_sentence = [whole] * len(spans)
    hits = []
    for label, prob in flagged.items():
        best = max(
            range(len(spans)), key=lambda i: per_sentence[i][label].probabilities.get("1", 0.0)
        )
        s, e = spans[best]
        if rules.guarded(label, normalise(norm.original[s:e]).text):
            continue  # the lexicon knows this wording as a near-miss
        hits.append(rules.Hit(label, s, e, norm.original[s:e], round(prob, 3)))
    return hits


def _agent(norm: Normalised, req: Request, model: Model | None) -> dict[str, Any]:
    rule_hits = rules.forbidden_phrases(norm) + rules.behaviours(norm)
    learned = _learned(norm, model, {h.label for h in rule_hits})
    forbidden = []
    for hit in sorted(
        [h for h in rule_hits + learned if h.label in rules.FORBIDDEN_CATEGORIES],
        key=lambda h: (h.start, h.label),
    ):
        advice, suggestion = rules.advice("forbidden", hit.label)
        forbidden.append(
            {
                "category": hit.label,
                "start": hit.start,
                "end": hit.end,
                "phrase": hit.text,
                "canonical": rules.canonical_phrase(hit.label),
                "advice": advice,
                "suggestion": suggestion,
                "confidence": hit.confidence,
                "source": "model" if hit in learned else "lexicon",
            }
        )
    behaviour = []
    for hit in sorted(
        [h for h in rule_hits + learned if h.label in rules.BEHAVIOURS],
        key=lambda h: (h.start, h.label),
    ):
        advice, suggestion = rules.advice("behaviour", hit.label)
        behaviour.append(
            {
                "type": hit.label,
                "start": hit.start,
                "end": hit.end,
                "phrase": hit.text,
                "advice": advice,
                "suggestion": suggestion,
                "confidence": hit.confidence,
                "source": "model" if hit in learned else "lexicon",
            }
        )
    if req.channel == "email":
        issues = rules.email_etiquette(norm, req.subject, list(req.attachments))
    elif req.channel == "phone":
        issues = rules.phone_etiquette(norm)
    else:
        issues = []
    etiquette = [
        {
            "code": i.code,
            "message": i.message,
            "field": i.field,
            "start": i.start,
            "end": i.end,
            "confidence": i.confidence,
        }
        for i in issues
    ]
    return {
        "role": "agent",
        "forbidden": forbidden,
        "behaviour": behaviour,
        "etiquette": etiquette,
        "versions": {
            "model": model.fingerprint if model is not None else "",
            "lexicon": _lexicon_version(),
        },
    }


@functools.cache
def _lexicon_version() -> str:
    h = hashlib.sha256()
    for path in sorted(LEXICON_DIR.glob("*.toml")) + sorted(LEXICON_DIR.glob("*.txt")):
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def versions() -> dict[str, str]:
    """What an analysis depends on: store it, and recompute when it changes."""
    model = get_model()
    return {"model": model.fingerprint if model is not None else "", "lexicon": _lexicon_version()}
