"""Template helpers for agent assist: the analysis badges of a timeline entry."""

from __future__ import annotations

from typing import Any

from django import template

from kefu.assist.labels import EMOTIONS, NEEDS, URGENCIES, label
from kefu.assist.playbooks import PLAYBOOKS

register = template.Library()


@register.inclusion_tag("web/partials/assist_badges.html", takes_context=True)
def assist_badges(context: dict[str, Any], item: Any) -> dict[str, Any]:
    """Emotion, difficult type and urgency of the customer's text behind a timeline entry:
    a message from the customer, or the request the case was opened with."""
    assist = context.get("assist")
    if item.event.type == "assist_override":
        return {"overridden": [_override_line(f) for f in item.event.data.get("findings", [])]}
    analysis = None
    if assist is not None:
        if getattr(item, "message", None) is not None:
            analysis = assist.for_message(item.message.pk)
        elif item.event.type == "created":
            analysis = assist.case_analysis
    if analysis is None:
        return {"analysis": None}
    difficult = PLAYBOOKS.get(analysis.difficult_type) if analysis.difficult_type else None
    emotion = analysis.result.get("emotion") or {}
    return {
        "analysis": analysis,
        "emotion": label(EMOTIONS, analysis.emotion),
        "emotion_evidence": "、".join(e["text"] for e in emotion.get("evidence", [])[:4]),
        "urgency": label(URGENCIES, analysis.urgency),
        "difficult": difficult,
        "needs": [label(NEEDS, n) for n in analysis.needs],
    }


@register.filter
def finding_label(finding: Any) -> str:
    """The short name of a forbidden phrase or behaviour category."""
    from kefu.assist.labels import BEHAVIOURS, FORBIDDEN

    table = FORBIDDEN if finding.group == "forbidden" else BEHAVIOURS
    return label(table, finding.code)


def _override_line(finding: dict[str, Any]) -> dict[str, str]:
    from kefu.assist.labels import BEHAVIOURS, FORBIDDEN

    table = BEHAVIOURS if finding.get("group") == "behaviour" else FORBIDDEN
    return {"phrase": finding.get("phrase", ""), "label": label(table, finding.get("category", ""))}
