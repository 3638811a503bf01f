"""POST /api/v1/assist/analyze: the agent-assist analyzer over HTTP."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kefu.api.routers.cases import ERRORS

router = Router(tags=["assist"])


class AnalyzeIn(Schema):
    text: str = Field(description="The message or the draft reply, as typed.")
    role: Literal["customer", "agent"] = Field(
        description="customer: classify a customer message; agent: check a reply."
    )
    channel: (
        Literal["phone", "email", "web", "chat", "wechat", "walk_in", "on_site", "sms"] | None
    ) = Field(default=None, description="email and phone add etiquette checks.")
    subject: str | None = Field(default=None, description="Email subject (channel email).")
    attachments: list[str] | None = Field(default=None, description="Attached file names.")


class Evidence(Schema):
    start: int = Field(description="Character offset into `text` (inclusive).")
    end: int = Field(description="Character offset into `text` (exclusive).")
    text: str


class LabelOut(Schema):
    label: str
    confidence: float
    evidence: list[Evidence]
    probabilities: dict[str, float]
    source: str | None = Field(default=None, description="'lexicon' when a rule decided.")


class DifficultOut(Schema):
    label: Literal["emotional", "righteous", "stubborn", "self_absorbed", "prepared", "influential"]
    name: str
    confidence: float
    evidence: list[Evidence]
    playbook: str
    source: Literal["lexicon", "model"]


class NeedOut(Schema):
    label: Literal["functional", "service", "emotional", "price"]
    confidence: float
    evidence: list[Evidence]


class ForbiddenOut(Schema):
    category: str
    start: int
    end: int
    phrase: str
    canonical: str
    advice: str
    suggestion: str
    confidence: float
    source: Literal["lexicon", "model"] = Field(
        description="lexicon: a known phrase; model: a paraphrase the agent model recognised."
    )


class BehaviourOut(Schema):
    type: str
    start: int
    end: int
    phrase: str
    advice: str
    suggestion: str
    confidence: float
    source: Literal["lexicon", "model"]


class EtiquetteOut(Schema):
    code: str
    message: str
    field: Literal["text", "subject", "attachments"]
    start: int
    end: int
    confidence: float


class AnalysisOut(Schema):
    role: Literal["customer", "agent"]
    kind: LabelOut | None = None
    complaint_cause: LabelOut | None = None
    emotion: LabelOut | None = None
    difficult_type: DifficultOut | None = None
    urgency: LabelOut | None = None
    needs: list[NeedOut] | None = None
    forbidden: list[ForbiddenOut] | None = None
    behaviour: list[BehaviourOut] | None = None
    etiquette: list[EtiquetteOut] | None = None
    versions: dict[str, str]


@router.post(
    "/analyze",
    response={200: AnalysisOut, **ERRORS},
    summary="Analyse a customer message or check an agent's reply",
)
def analyze_text(request: HttpRequest, payload: AnalyzeIn) -> dict[str, Any]:
    """Customer text: kind, complaint cause, emotion, difficult type, urgency, needs.
    Agent text: forbidden phrases, behaviours, email/phone etiquette. Every finding has
    character spans into `text` and a confidence. Empty text or an unknown role: 422."""
    # scikit-learn loads on first use, not when the URLs load (every command).
    from kefu.assist.analyze import analyze

    return analyze(
        payload.text, payload.role, payload.channel, payload.subject, payload.attachments
    )
