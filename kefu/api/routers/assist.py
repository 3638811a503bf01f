"""POST /api/v1/assist/analyze: the agent-assist analyzer over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kefu.accounts.actors import Actor
from kefu.api.auth import current_user
from kefu.api.routers.cases import ERRORS
from kefu.assist import actions as assist_actions
from kefu.assist import selectors as assist_selectors
from kefu.cases import selectors

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


class AnalysisNeedOut(Schema):
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
    needs: list[AnalysisNeedOut] | None = None
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


# -- the workspace's assist, over the API ----------------------------------------------------


class StoredAnalysisOut(Schema):
    message: int | None = Field(description="The customer's message; null: the case's request.")
    source: Literal["message", "case"]
    kind: str
    complaint_cause: str | None
    emotion: str
    difficult_type: str | None
    urgency: str
    needs: list[str]
    analyzed_at: dt.datetime
    versions: dict[str, str]


class StoredAnalysisList(Schema):
    items: list[StoredAnalysisOut]
    count: int


@router.get(
    "/cases/{int:case_id}/analyses",
    response={200: StoredAnalysisList, **ERRORS},
    summary="The stored analyses of a case's customer texts",
)
def case_analyses(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """One per customer message and one for the request the case was opened with, oldest
    first; recomputed when the model or the lexicons change (see `versions`)."""

    user = current_user(request)
    case = selectors.get_case_for(user, case_id)
    items = [
        assist_selectors.analysis_dict(a) for a in assist_selectors.analyses_for_case(user, case)
    ]
    return {"items": items, "count": len(items)}


class AssistReplyIn(Schema):
    body: str
    kind: Literal["outbound", "note", "inbound"] = "outbound"
    confirm_override: bool = Field(
        default=False,
        description="Send a reply although the check found forbidden phrases or behaviours "
        "(recorded on the case as an assist_override event). Refused under the block policy.",
    )


class AssistReplyOut(Schema):
    message: int
    overridden: list[dict[str, Any]]


@router.post(
    "/cases/{int:case_id}/replies",
    response={201: AssistReplyOut, **ERRORS},
    summary="Add a checked reply (as the workspace composer does)",
)
def send_checked_reply(request: HttpRequest, case_id: int, payload: AssistReplyIn) -> Status[Any]:
    """A reply to the customer is checked first. With findings: 409
    `assist_confirmation_required` (repeat with `confirm_override`), or 403
    `assist_reply_blocked` when the site blocks such replies."""

    user = current_user(request)
    selectors.get_case_for(user, case_id)
    sent = assist_actions.send_reply(
        case_id,
        actor=Actor.staff(user),
        kind=payload.kind,
        body=payload.body,
        confirmed=payload.confirm_override,
    )
    return Status(
        201, {"message": sent.message.pk, "overridden": [f.as_record() for f in sent.overridden]}
    )


class SuggestionDecisionIn(Schema):
    suggested: str
    chosen: str = Field(
        description="The suggested code to accept, another to correct, '' to dismiss."
    )
    expected_version: int | None = None


class SuggestionDecisionOut(Schema):
    field: str
    suggested: str
    chosen: str
    verdict: Literal["accepted", "corrected", "dismissed"]


@router.post(
    "/cases/{int:case_id}/suggestions/{field}",
    response={200: SuggestionDecisionOut, **ERRORS},
    summary="Accept, correct or dismiss a suggested kind or complaint cause",
)
def decide_suggestion(
    request: HttpRequest,
    case_id: int,
    field: Literal["kind", "cause"],
    payload: SuggestionDecisionIn,
) -> dict[str, Any]:
    """A kind changes through the case workflow (`change_kind`); a cause is kept for the
    close step. Verdicts are exported as training rows when the model is retrained."""

    user = current_user(request)
    selectors.get_case_for(user, case_id)
    if field == "kind":
        verdict = assist_actions.decide_kind(
            case_id,
            actor=Actor.staff(user),
            suggested=payload.suggested,
            chosen=payload.chosen,
            expected_version=payload.expected_version,
        )
    else:
        verdict = assist_actions.decide_cause(
            case_id, actor=Actor.staff(user), suggested=payload.suggested, chosen=payload.chosen
        )
    return {
        "field": verdict.field,
        "suggested": verdict.suggested,
        "chosen": verdict.chosen,
        "verdict": verdict.verdict,
    }


class ServiceCycleStepOut(Schema):
    step: str
    number: int
    name: str
    done: bool
    by: int | None
    at: dt.datetime | None


class ServiceCycleIn(Schema):
    done: bool = True


@router.get(
    "/cases/{int:case_id}/service-cycle",
    response={200: list[ServiceCycleStepOut], **ERRORS},
    summary="The service-cycle checklist of a case",
)
def service_cycle(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:

    case = selectors.get_case_for(current_user(request), case_id)
    return [_cycle_row(r) for r in assist_selectors.cycle_rows(case)]


@router.post(
    "/cases/{int:case_id}/service-cycle/{step}",
    response={200: list[ServiceCycleStepOut], **ERRORS},
    summary="Mark a step of the service cycle done (or not done)",
)
def mark_cycle_step(
    request: HttpRequest, case_id: int, step: str, payload: ServiceCycleIn
) -> list[dict[str, Any]]:
    user = current_user(request)
    case = selectors.get_case_for(user, case_id)
    assist_actions.mark_cycle_step(case_id, actor=Actor.staff(user), step=step, done=payload.done)
    return [_cycle_row(r) for r in assist_selectors.cycle_rows(case)]


def _cycle_row(r: Any) -> dict[str, Any]:
    return {
        "step": r.info.code,
        "number": r.info.number,
        "name": str(r.info.name),
        "done": r.done,
        "by": r.by.pk if r.by else None,
        "at": r.at,
    }


class ReplyTemplateOut(Schema):
    id: int
    title: str
    language: str
    kind: str
    body: str = Field(description="With {customer_name} {case_number} {handler} {due_date}.")
    text: str | None = Field(default=None, description="Filled in for the case (case route).")


@router.get(
    "/templates",
    response={200: list[ReplyTemplateOut], **ERRORS},
    summary="Reply templates",
)
def list_templates(
    request: HttpRequest, language: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:

    current_user(request)
    return [_template(t) for t in assist_selectors.templates(language, kind)]


@router.get(
    "/cases/{int:case_id}/templates",
    response={200: list[ReplyTemplateOut], **ERRORS},
    summary="Reply templates for a case, filled in",
)
def case_templates(
    request: HttpRequest, case_id: int, language: str | None = None
) -> list[dict[str, Any]]:

    user = current_user(request)
    case = selectors.get_case_for(user, case_id)
    return [
        _template(r.template, r.text)
        for r in assist_selectors.templates_for_case(user, case, language or "zh-hans")
    ]


def _template(t: Any, text: str | None = None) -> dict[str, Any]:
    return {
        "id": t.pk,
        "title": t.title,
        "language": t.language,
        "kind": t.kind,
        "body": t.body,
        "text": text,
    }


class KnowledgeArticleOut(Schema):
    id: int
    category: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    public: bool
    updated_at: dt.datetime


@router.get(
    "/articles",
    response={200: list[KnowledgeArticleOut], **ERRORS},
    summary="Search the knowledge base",
)
def search_articles(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    """Chinese (Simplified or Traditional) or English; every word must occur."""

    current_user(request)
    return [_article(a) for a in assist_selectors.search_articles(q[:100], limit=50)]


@router.get(
    "/articles/{int:article_id}",
    response={200: KnowledgeArticleOut, **ERRORS},
    summary="One knowledge-base article",
)
def get_article(request: HttpRequest, article_id: int) -> dict[str, Any]:

    current_user(request)
    return _article(assist_selectors.get_article(article_id))


def _article(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "category": a.category.code,
        "title_zh": a.title_zh,
        "title_en": a.title_en,
        "body_zh": a.body_zh,
        "body_en": a.body_en,
        "public": a.public,
        "updated_at": a.updated_at,
    }
