"""/api/v1/ endpoints of the surveys app: surveys, versions, distribution, responses, scores,
peer figures, and the public answer endpoints that need only the token in the link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kefu.accounts.actors import Actor
from kefu.accounts.roles import may_see_personal_data
from kefu.api.auth import current_user
from kefu.api.pagination import PageParams, paginate
from kefu.api.routers.cases import ERRORS
from kefu.api.schemas import ErrorOut
from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.customers.models import Customer
from kefu.surveys import actions, scores, selectors
from kefu.surveys.models import Invitation, Response, Survey, SurveyVersion

router = Router(tags=["surveys"])

PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class VersionOut(Schema):
    id: int
    number: int
    published_at: dt.datetime | None
    created_at: dt.datetime
    definition: dict[str, Any]


class SurveyOut(Schema):
    id: int
    code: str
    title_zh: str
    title_en: str
    purpose: str
    anonymous: bool
    active: bool
    closed_kinds: list[str]
    on_return_visit: bool
    channels: list[str]
    expiry_days: int
    reminder_after_days: int
    max_reminders: int
    low_scores: dict[str, int]
    followup_kind: str
    current_version: int | None
    draft_version: int | None


class SurveyPage(Schema):
    items: list[SurveyOut]
    count: int
    page: int
    page_size: int


class SurveyIn(Schema):
    code: str
    title_zh: str
    title_en: str = ""
    purpose: str = "custom"
    definition: dict[str, Any]
    anonymous: bool = False
    closed_kinds: list[str] = []
    on_return_visit: bool = False
    channels: list[str] = ["email", "sms"]
    low_scores: dict[str, int] = {}


class SurveyEditIn(Schema):
    title_zh: str | None = None
    title_en: str | None = None
    active: bool | None = None
    anonymous: bool | None = None
    closed_kinds: list[str] | None = None
    on_return_visit: bool | None = None
    channels: list[str] | None = None
    expiry_days: int | None = None
    reminder_after_days: int | None = None
    max_reminders: int | None = None
    low_scores: dict[str, int] | None = None
    followup_kind: str | None = None


class DraftIn(Schema):
    definition: dict[str, Any]


class InviteIn(Schema):
    customer_id: int


class InvitationOut(Schema):
    id: int
    survey: str
    customer_id: int | None
    case_number: str
    trigger: str
    channel: str
    state: str
    url: str
    created_at: dt.datetime
    expires_at: dt.datetime
    skipped: str = ""


class InvitationPage(Schema):
    items: list[InvitationOut]
    count: int
    page: int
    page_size: int


class InviteResult(Schema):
    invitation: InvitationOut | None
    skipped: str


class WaveIn(Schema):
    name: str = ""
    scheduled_for: dt.datetime | None = None
    organisation_id: int | None = None


class WaveOut(Schema):
    id: int
    survey: str
    name: str
    organisation_id: int | None
    scheduled_for: dt.datetime
    sent_at: dt.datetime | None
    invited: int
    skipped: int


class ResponseOut(Schema):
    id: int
    survey: str
    version: int
    complete: bool
    submitted_at: dt.datetime | None
    customer_id: int | None
    case_number: str
    csat: int | None
    nps: int | None
    ces: int | None
    group_scores: dict[str, float]
    complaint_detected: bool
    followup_case: str
    answers: dict[str, Any]


class ResponsePage(Schema):
    items: list[ResponseOut]
    count: int
    page: int
    page_size: int


class ScoreQuery(Schema):
    survey: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    cut: str = Field(default="team", description=", ".join(scores.CUTS))


class ScoresOut(Schema):
    start: dt.date
    end: dt.date
    headline: dict[str, Any]
    index: float | None
    formula: str
    groups: list[dict[str, Any]]
    cut: str
    cuts: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    items: list[dict[str, Any]]
    drivers: list[dict[str, Any]]
    driver_method: str
    keywords: list[list[Any]]
    peers: list[dict[str, Any]]


class PeerIn(Schema):
    metric: str
    peer: str
    period_start: dt.date
    period_end: dt.date
    value: float
    source: str = ""


class PeerOut(Schema):
    id: int
    metric: str
    peer: str
    period_start: dt.date
    period_end: dt.date
    value: float
    source: str


class PublicSurveyOut(Schema):
    title: str
    language: str
    state: str
    expires_at: dt.datetime
    answers: dict[str, Any]
    definition: dict[str, Any]


class AnswersIn(Schema):
    answers: dict[str, Any]
    language: str = ""


class PublicResultOut(Schema):
    complete: bool
    answers: dict[str, Any]


# --- presenters ----------------------------------------------------------------------------


def _survey(s: Survey) -> dict[str, Any]:
    """A survey as selectors.surveys_for reads it (with its version numbers)."""
    current, draft = selectors.version_numbers(s)
    return {
        **{f: getattr(s, f) for f in SurveyOut.model_fields if hasattr(s, f)},
        "current_version": current,
        "draft_version": draft,
    }


def _version(v: SurveyVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "number": v.number,
        "published_at": v.published_at,
        "created_at": v.created_at,
        "definition": v.definition,
    }


def _invitation(i: Invitation) -> dict[str, Any]:
    return {
        "id": i.pk,
        "survey": i.survey.code,
        "customer_id": i.customer_id,
        "case_number": i.case.number if i.case_id and i.case else "",
        "trigger": i.trigger,
        "channel": i.channel,
        "state": i.state,
        "url": actions.public_url(i),
        "created_at": i.created_at,
        "expires_at": i.expires_at,
    }


def _response(r: Response, personal: bool) -> dict[str, Any]:
    return {
        "id": r.pk,
        "survey": r.survey.code,
        "version": r.version.number,
        "complete": r.complete,
        "submitted_at": r.submitted_at,
        "customer_id": r.customer_id if personal else None,
        "case_number": r.case.number if r.case else "",
        "csat": r.csat,
        "nps": r.nps,
        "ces": r.ces,
        "group_scores": r.group_scores or {},
        "complaint_detected": r.complaint_detected,
        "followup_case": r.followup_case.number if r.followup_case else "",
        "answers": r.answers,
    }


# --- surveys and versions ------------------------------------------------------------------


@router.get("/surveys", response={200: SurveyPage, **ERRORS}, summary="List surveys")
def list_surveys(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    rows, meta = paginate(selectors.surveys_for(current_user(request)), page)
    return {"items": [_survey(s) for s in rows], **meta}


@router.post("/surveys", response={201: SurveyOut, **ERRORS}, summary="Create a survey")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    """A new survey; its questionnaire is version 1, a draft until published."""
    user = current_user(request)
    survey = actions.create_survey(actor=Actor.staff(user), **payload.dict())
    return Status(201, _survey(selectors.get_survey(user, survey.pk)))


@router.get("/surveys/{int:survey_id}", response={200: SurveyOut, **ERRORS}, summary="A survey")
def get_survey(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    return _survey(selectors.get_survey(current_user(request), survey_id))


@router.patch(
    "/surveys/{int:survey_id}", response={200: SurveyOut, **ERRORS}, summary="Edit settings"
)
def edit_survey(request: HttpRequest, survey_id: int, payload: SurveyEditIn) -> dict[str, Any]:
    user = current_user(request)
    selectors.get_survey(user, survey_id)
    fields = payload.dict(exclude_unset=True)
    actions.update_survey(survey_id, actor=Actor.staff(user), **fields)
    return _survey(selectors.get_survey(user, survey_id))


@router.get(
    "/surveys/{int:survey_id}/versions",
    response={200: list[VersionOut], **ERRORS},
    summary="Versions of a survey",
)
def list_versions(request: HttpRequest, survey_id: int) -> list[dict[str, Any]]:
    survey = selectors.get_survey(current_user(request), survey_id)
    return [_version(v) for v in selectors.versions_of(survey)]


@router.post(
    "/surveys/{int:survey_id}/draft",
    response={200: VersionOut, **ERRORS},
    summary="Save the draft questionnaire",
)
def save_draft(request: HttpRequest, survey_id: int, payload: DraftIn) -> dict[str, Any]:
    """Published versions never change: this edits the draft, creating it when needed."""
    user = current_user(request)
    selectors.get_survey(user, survey_id)
    return _version(
        actions.save_draft(survey_id, actor=Actor.staff(user), definition=payload.definition)
    )


@router.post(
    "/surveys/{int:survey_id}/publish",
    response={200: VersionOut, **ERRORS},
    summary="Publish the draft",
)
def publish(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    user = current_user(request)
    selectors.get_survey(user, survey_id)
    return _version(actions.publish_draft(survey_id, actor=Actor.staff(user)))


# --- distribution --------------------------------------------------------------------------


@router.post(
    "/surveys/{int:survey_id}/invitations",
    response={200: InviteResult, **ERRORS},
    summary="Send the survey to a customer",
)
def invite(request: HttpRequest, survey_id: int, payload: InviteIn) -> dict[str, Any]:
    """Skipped (with the reason) without consent, within the frequency cap, or without a
    published version."""
    user = current_user(request)
    survey = selectors.get_survey(user, survey_id)
    customer = Customer.objects.filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationFailed("unknown customer", fields={"customer_id": "unknown id"})
    invitation, why = actions.invite(
        actor=Actor.staff(user), survey=survey, customer=customer, trigger="manual"
    )
    return {"invitation": _invitation(invitation) if invitation else None, "skipped": why}


@router.get(
    "/surveys/{int:survey_id}/invitations",
    response={200: InvitationPage, **ERRORS},
    summary="Invitations of a survey",
)
def list_invitations(
    request: HttpRequest, survey_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    user = current_user(request)
    selectors.get_survey(user, survey_id)
    rows, meta = paginate(selectors.invitations_for(user).filter(survey_id=survey_id), page)
    return {"items": [_invitation(i) for i in rows], **meta}


@router.post(
    "/surveys/{int:survey_id}/waves",
    response={201: WaveOut, **ERRORS},
    summary="Schedule a relationship wave",
)
def schedule_wave(request: HttpRequest, survey_id: int, payload: WaveIn) -> Status[dict[str, Any]]:
    """At `scheduled_for` every contact on the decision chain of the organisation (or of every
    organisation) is asked, subject to consent and the frequency cap."""
    user = current_user(request)
    selectors.get_survey(user, survey_id)
    wave = actions.schedule_wave(
        survey_id,
        actor=Actor.staff(user),
        name=payload.name,
        scheduled_for=payload.scheduled_for or clock.now(),
        organisation_id=payload.organisation_id,
    )
    return Status(
        201,
        {
            "id": wave.pk,
            "survey": wave.survey.code,
            "name": wave.name,
            "organisation_id": wave.organisation_id,
            "scheduled_for": wave.scheduled_for,
            "sent_at": wave.sent_at,
            "invited": wave.invited,
            "skipped": wave.skipped,
        },
    )


# --- responses, scores, peers --------------------------------------------------------------


@router.get("/survey-responses", response={200: ResponsePage, **ERRORS}, summary="Responses")
def list_responses(
    request: HttpRequest,
    page: Query[PageParams],
    survey: int | None = None,
    complete: bool | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    qs = selectors.responses_for(user).select_related("followup_case").order_by("-id")
    if survey is not None:
        qs = qs.filter(survey_id=survey)
    if complete is not None:
        qs = qs.filter(complete=complete)
    rows, meta = paginate(qs, page)
    personal = may_see_personal_data(user)
    return {"items": [_response(r, personal) for r in rows], **meta}


@router.get(
    "/survey-responses/{int:response_id}",
    response={200: ResponseOut, **ERRORS},
    summary="A response, read with the version it answered",
)
def get_response(request: HttpRequest, response_id: int) -> dict[str, Any]:
    user = current_user(request)
    return _response(selectors.get_response(user, response_id), may_see_personal_data(user))


@router.get("/survey-scores", response={200: ScoresOut, **ERRORS}, summary="Scores")
def get_scores(request: HttpRequest, query: Query[ScoreQuery]) -> dict[str, Any]:
    """CSAT, NPS, CES, response rate, the weighted index with its formula, a cut, the trend,
    item means, drivers (Pearson r), keywords and the peer comparison."""
    user = current_user(request)
    if query.cut not in scores.CUTS:
        raise ValidationFailed("unknown cut", fields={"cut": f"one of {', '.join(scores.CUTS)}"})
    today = clock.today()
    filters = scores.Filters(
        start=query.start or today - dt.timedelta(days=90),
        end=query.end or today,
        survey_id=query.survey,
        cut=query.cut,
    )
    board = scores.dashboard(user, filters, "en")
    return {
        "start": filters.start,
        "end": filters.end,
        "headline": board.headline,
        "index": board.index,
        "formula": board.formula,
        "groups": board.groups,
        "cut": filters.cut,
        "cuts": board.cuts,
        "trend": board.trend,
        "items": board.items,
        "drivers": board.drivers,
        "driver_method": board.driver_target,
        "keywords": [list(k) for k in board.keywords],
        "peers": board.peers,
    }


@router.post("/survey-peer-figures", response={201: PeerOut, **ERRORS}, summary="Peer figure")
def record_peer_figure(request: HttpRequest, payload: PeerIn) -> Status[dict[str, Any]]:
    """A peer's or the industry's CSAT, NPS, CES or index for a period (同业排名)."""
    figure = actions.record_peer_figure(actor=Actor.staff(current_user(request)), **payload.dict())
    return Status(
        201,
        {
            "id": figure.pk,
            "metric": figure.metric,
            "peer": figure.peer,
            "period_start": figure.period_start,
            "period_end": figure.period_end,
            "value": figure.value,
            "source": figure.source,
        },
    )


# --- public: the token is the key ----------------------------------------------------------


def _public(token: str) -> Invitation:
    try:
        return selectors.invitation_by_token(token)
    except NotFound as exc:
        raise NotFound("no survey behind this link") from exc


@router.get(
    "/public/surveys/{token}",
    auth=None,
    response={200: PublicSurveyOut, **PUBLIC_ERRORS},
    summary="The questionnaire behind a survey link",
)
def public_survey(request: HttpRequest, token: str, lang: str = "") -> dict[str, Any]:
    invitation = _public(token)
    response = selectors.response_of(invitation)
    language = lang if lang in ("en", "zh-hans") else invitation.language
    state = "answered" if response is not None and response.complete else invitation.state
    if state != "answered" and invitation.expires_at <= clock.now():
        state = "expired"
    return {
        "title": invitation.survey.title(language),
        "language": language,
        "state": state,
        "expires_at": invitation.expires_at,
        "answers": response.answers if response is not None else {},
        "definition": invitation.version.definition,
    }


@router.post(
    "/public/surveys/{token}/progress",
    auth=None,
    response={200: PublicResultOut, **PUBLIC_ERRORS},
    summary="Save partial answers",
)
def public_progress(request: HttpRequest, token: str, payload: AnswersIn) -> dict[str, Any]:
    response = actions.save_progress(token, payload.answers, language=payload.language)
    return {"complete": response.complete, "answers": response.answers}


@router.post(
    "/public/surveys/{token}/submit",
    auth=None,
    response={200: PublicResultOut, **PUBLIC_ERRORS},
    summary="Submit the answers",
)
def public_submit(request: HttpRequest, token: str, payload: AnswersIn) -> dict[str, Any]:
    """Submitting again returns the first submission unchanged."""
    response = actions.submit_answers(token, payload.answers, language=payload.language)
    return {"complete": response.complete, "answers": response.answers}
