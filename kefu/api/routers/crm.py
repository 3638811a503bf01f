"""/api/v1/ endpoints of the crm app: value tiers and RFM grades, churn list, needs,
follow-ups, and the customer imports with their status and report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising
from kefu.api.auth import current_user
from kefu.api.pagination import PageParams, paginate
from kefu.api.routers.cases import ERRORS
from kefu.api.schemas import Page
from kefu.cases.models import Case
from kefu.cases.permissions import scope_cases
from kefu.core import clock
from kefu.core.errors import NotFound, PermissionDenied
from kefu.crm import actions
from kefu.crm import selectors as crm
from kefu.crm.churn import reason_text
from kefu.crm.explain import rfm_reasons
from kefu.crm.models import CustomerValue, Need
from kefu.crm.needs import FORMULA
from kefu.crm.selectors import SourceCases
from kefu.customers import import_actions
from kefu.customers.models import ImportJob
from kefu.customers.selectors import get_customer

router = Router(tags=["crm"])


class TierOut(Schema):
    code: str
    name: str
    name_en: str
    rank: int
    min_score: int
    queue_priority: int | None
    entitlements: str
    entitlements_en: str


class GradeOut(Schema):
    customer_id: int
    customer_name: str
    tier: str
    r: int
    f: int
    m: int
    score: int
    last_purchase_on: dt.date | None
    frequency: int
    monetary: Decimal
    computed_at: dt.datetime
    reasons: list[str] = Field(description="Why: the grade in words.")


class GradePage(Page):
    items: list[GradeOut]


class TierChangeOut(Schema):
    at: dt.datetime
    previous: str
    tier: str
    r: int | None
    f: int | None
    m: int | None
    score: int | None
    recency_days: int | None
    frequency: int
    monetary: Decimal
    reason: str


class RfmOut(Schema):
    customer_id: int
    tier: str
    grade: GradeOut | None
    history: list[TierChangeOut]


class GradeQuery(PageParams):
    tier: str = ""
    q: str = Field(
        default="", max_length=100, description="A name, phone, email or customer number."
    )
    order: Literal["-score", "score", "-monetary", "-frequency", "last_purchase_on"] = "-score"


class ChurnOut(Schema):
    customer_id: int
    customer_name: str
    score: float
    components: dict[str, float]
    reasons: list[str]
    at_risk: bool
    computed_at: dt.datetime
    account_manager_id: int | None
    follow_up_id: int | None


class ChurnPage(Page):
    items: list[ChurnOut]


class NeedOut(Schema):
    id: int
    customer_id: int
    category: str
    title: str
    description: str
    importance: int
    urgency: int
    feasibility: int
    days_to_fulfil: int
    priority: float
    status: str
    case_numbers: list[str] = Field(description="source cases the caller may see")
    other_cases: int = Field(0, description="source cases the caller may not see")
    formula: str


class NeedIn(Schema):
    category: Literal["functional", "service", "emotional", "price"]
    title: str = Field(max_length=200)
    description: str = ""
    importance: int = Field(ge=1, le=5)
    urgency: int = Field(ge=1, le=5)
    feasibility: int = Field(ge=1, le=5)
    days_to_fulfil: int = Field(ge=0, le=3650)
    case_numbers: list[str] = []


class NeedEditIn(Schema):
    importance: int | None = Field(default=None, ge=1, le=5)
    urgency: int | None = Field(default=None, ge=1, le=5)
    feasibility: int | None = Field(default=None, ge=1, le=5)
    days_to_fulfil: int | None = Field(default=None, ge=0, le=3650)
    status: Literal["open", "planned", "fulfilled", "declined"] | None = None


class FollowUpIn(Schema):
    note: str


class AcceptedOut(Schema):
    status: str


class ImportOut(Schema):
    id: int
    kind: str
    original_name: str
    encoding: str
    state: str
    total_rows: int | None
    processed_rows: int
    percent: int
    created: int
    updated: int
    unchanged: int
    error_rows: int
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportErrorOut(Schema):
    row: int
    field: str
    problem: str
    value: str


class ImportErrorPage(Page):
    items: list[ImportErrorOut]


def _supervisor(request: HttpRequest) -> User:
    user = current_user(request)
    if not is_supervising(user):
        raise PermissionDenied("only supervisors and managers use customer grading and imports")
    return user


def _grade(v: CustomerValue, today: dt.date, settings: Any, tiers: list[Any]) -> dict[str, Any]:
    return {
        "customer_id": v.customer_id,
        "customer_name": v.customer.name,
        "tier": v.tier,
        "r": v.r,
        "f": v.f,
        "m": v.m,
        "score": v.score,
        "last_purchase_on": v.last_purchase_on,
        "frequency": v.frequency,
        "monetary": v.monetary,
        "computed_at": v.computed_at,
        "reasons": rfm_reasons(v, settings, tiers, today),
    }


@router.get("/crm/tiers", response={200: list[TierOut], **ERRORS}, summary="Value tiers")
def tiers(request: HttpRequest) -> list[Any]:
    """Active tiers, best first; a tier's code is the customer's tier, which picks the SLA."""
    current_user(request)
    return crm.active_tiers()


@router.get("/crm/grades", response={200: GradePage, **ERRORS}, summary="Customers by RFM grade")
def grades(request: HttpRequest, query: Query[GradeQuery]) -> dict[str, Any]:
    user = _supervisor(request)
    rows, meta = paginate(
        crm.graded_customers(user, tier=query.tier, order=query.order, text=query.q), query
    )
    settings, tier_list, today = crm.crm_settings(), crm.active_tiers(), clock.today()
    return {"items": [_grade(v, today, settings, tier_list) for v in rows], **meta}


@router.post(
    "/crm/grades/recompute",
    response={202: AcceptedOut, **ERRORS},
    summary="Regrade every customer now (worker job)",
)
def recompute(request: HttpRequest) -> Status[Any]:
    user = _supervisor(request)
    actions.request_regrading(actor=Actor.staff(user))
    return Status(202, {"status": "queued"})


@router.get(
    "/crm/customers/{int:customer_id}/rfm",
    response={200: RfmOut, **ERRORS},
    summary="A customer's RFM grade and tier history",
)
def rfm(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    user = current_user(request)
    customer = get_customer(user, customer_id)
    value = crm.value_of(customer.pk)
    settings, tier_list, today = crm.crm_settings(), crm.active_tiers(), clock.today()
    return {
        "customer_id": customer.pk,
        "tier": customer.tier,
        "grade": _grade(value, today, settings, tier_list) if value else None,
        "history": crm.tier_history(customer.pk, limit=100),
    }


@router.get("/crm/churn", response={200: ChurnPage, **ERRORS}, summary="Customers at risk")
def churn_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Highest risk first, each with the reasons in words (in the request's language)."""
    user = _supervisor(request)
    rows, meta = paginate(crm.customers_at_risk(user), page)
    tasks = crm.open_follow_ups([a.customer_id for a in rows])
    return {
        "items": [
            {
                "customer_id": a.customer_id,
                "customer_name": a.customer.name,
                "score": a.score,
                "components": a.components,
                "reasons": [reason_text(r) for r in a.reasons],
                "at_risk": a.at_risk,
                "computed_at": a.computed_at,
                "account_manager_id": a.customer.account_manager_id,
                "follow_up_id": tasks[a.customer_id].pk if a.customer_id in tasks else None,
            }
            for a in rows
        ],
        **meta,
    }


@router.post(
    "/crm/follow-ups/{int:task_id}/done",
    response={200: AcceptedOut, **ERRORS},
    summary="Record a churn follow-up as done",
)
def follow_up_done(request: HttpRequest, task_id: int, payload: FollowUpIn) -> dict[str, Any]:
    user = current_user(request)
    actions.complete_follow_up(actor=Actor.staff(user), task_id=task_id, note=payload.note)
    return {"status": "done"}


class FollowUpAssignIn(Schema):
    assignee_id: int


@router.post(
    "/crm/follow-ups/{int:task_id}/assign",
    response={200: AcceptedOut, **ERRORS},
    summary="Give an open churn follow-up to a member of staff (supervisors and managers)",
)
def follow_up_assign(
    request: HttpRequest, task_id: int, payload: FollowUpAssignIn
) -> dict[str, Any]:
    user = current_user(request)
    actions.assign_follow_up(
        actor=Actor.staff(user), task_id=task_id, assignee_id=payload.assignee_id
    )
    return {"status": "assigned"}


def _need(n: Need, viewer: User, sources: SourceCases | None = None) -> dict[str, Any]:
    """A need as the API shows it: its source cases' numbers only where the viewer may see
    the case (the others counted in other_cases)."""
    if sources is None:
        numbers = list(n.cases.order_by("pk").values_list("number", flat=True))
        seen = set(scope_cases(n.cases.all(), viewer).values_list("number", flat=True))
        sources = SourceCases([x for x in numbers if x in seen], len(numbers) - len(seen))
    return {
        "id": n.pk,
        "customer_id": n.customer_id,
        "category": n.category,
        "title": n.title,
        "description": n.description,
        "importance": n.importance,
        "urgency": n.urgency,
        "feasibility": n.feasibility,
        "days_to_fulfil": n.days_to_fulfil,
        "priority": n.priority,
        "status": n.status,
        "case_numbers": sources.numbers,
        "other_cases": sources.others,
        "formula": str(FORMULA),
    }


@router.get(
    "/crm/customers/{int:customer_id}/needs",
    response={200: list[NeedOut], **ERRORS},
    summary="A customer's needs, highest priority first",
)
def needs(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    user = current_user(request)
    get_customer(user, customer_id)
    return [_need(n, user, sources) for n, sources in crm.needs_seen_by(user, customer_id)]


@router.post(
    "/crm/customers/{int:customer_id}/needs",
    response={201: NeedOut, **ERRORS},
    summary="Record a customer need",
)
def add_need(request: HttpRequest, customer_id: int, payload: NeedIn) -> Status[Any]:
    """Priority = 20 × (0.4×importance + 0.35×urgency + 0.25×feasibility) ×
    (1 − 0.5 × min(days to fulfil, 180) ÷ 180)."""
    user = current_user(request)
    get_customer(user, customer_id)
    case_ids = list(
        Case.objects.filter(number__in=payload.case_numbers, customer_id=customer_id).values_list(
            "pk", flat=True
        )
    )
    if len(case_ids) != len(set(payload.case_numbers)):
        case_ids.append(0)  # let the action refuse the unknown case
    need = actions.record_need(
        actor=Actor.staff(user),
        customer_id=customer_id,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        importance=payload.importance,
        urgency=payload.urgency,
        feasibility=payload.feasibility,
        days_to_fulfil=payload.days_to_fulfil,
        case_ids=case_ids,
    )
    return Status(201, _need(need, user))


@router.patch(
    "/crm/needs/{int:need_id}", response={200: NeedOut, **ERRORS}, summary="Reassess a need"
)
def edit_need(request: HttpRequest, need_id: int, payload: NeedEditIn) -> dict[str, Any]:
    user = current_user(request)
    need = Need.objects.filter(pk=need_id).first()
    if need is None:
        raise NotFound("need not found")
    get_customer(user, need.customer_id)
    need = actions.update_need(
        actor=Actor.staff(user), need_id=need_id, **payload.dict(exclude_none=True)
    )
    return _need(need, user)


def _import(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "original_name": job.original_name,
        "encoding": job.encoding,
        "state": job.state,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "percent": job.percent,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "error_rows": job.error_rows,
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def _job(job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("import not found")
    return job


@router.post("/crm/imports", response={201: ImportOut, **ERRORS}, summary="Upload an import")
def upload(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Literal["customers", "consumption"] = "customers",
    start: bool = False,
) -> Status[Any]:
    """A CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX file; with `start=true` it is queued at
    once, else it waits for POST /crm/imports/{id}/start."""
    user = _supervisor(request)
    job = import_actions.create_import_job(actor=Actor.staff(user), kind=kind, upload=file)
    if start:
        job = import_actions.start_import(actor=Actor.staff(user), job_id=job.pk)
    return Status(201, _import(job))


@router.post(
    "/crm/imports/{int:job_id}/start",
    response={202: ImportOut, **ERRORS},
    summary="Start an uploaded import",
)
def start(request: HttpRequest, job_id: int) -> Status[Any]:
    user = _supervisor(request)
    return Status(202, _import(import_actions.start_import(actor=Actor.staff(user), job_id=job_id)))


@router.get(
    "/crm/imports/{int:job_id}", response={200: ImportOut, **ERRORS}, summary="An import's status"
)
def import_status(request: HttpRequest, job_id: int) -> dict[str, Any]:
    _supervisor(request)
    return _import(_job(job_id))


@router.get(
    "/crm/imports/{int:job_id}/errors",
    response={200: ImportErrorPage, **ERRORS},
    summary="An import's per-row report",
)
def import_errors(request: HttpRequest, job_id: int, page: Query[PageParams]) -> dict[str, Any]:
    _supervisor(request)
    rows, meta = paginate(_job(job_id).row_errors.order_by("row", "id"), page)
    return {
        "items": [
            {"row": e.row, "field": e.field, "problem": e.problem, "value": e.value} for e in rows
        ],
        **meta,
    }
