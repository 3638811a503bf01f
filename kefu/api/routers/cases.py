"""Cases: create, list (filters, search, sort, pages), detail, edit, timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.api import lookups, presenters
from kefu.api.auth import current_user
from kefu.api.pagination import PageParams, paginate
from kefu.api.schemas import CaseDetail, CaseEditIn, CaseIn, CasePage, ErrorOut, EventList
from kefu.cases import actions, selectors
from kefu.cases.choices import CaseStatus, Channel, Priority
from kefu.cases.clock_selectors import timers_for
from kefu.cases.models import Case
from kefu.core.errors import NotFound, ValidationFailed
from kefu.customers.actions import find_or_create_customer
from kefu.customers.selectors import get_customer

router = Router(tags=["cases"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def detail_for(user: User, case_id: int) -> dict[str, Any]:
    """The case as its detail response: 404 when missing or hidden from `user`."""
    case = selectors.get_case_for(user, case_id)
    return presenters.case_detail(
        case,
        user,
        allowed=selectors.allowed_actions(user, case),
        visits=list(case.return_visits.select_related("recorded_by").order_by("due_at", "id")),
        timers=timers_for([case]).get(case.pk, []),
    )


class CaseQuery(Schema):
    status: list[str] = Field(
        default=[], description="Repeat or comma-separate: status=new,accepted"
    )
    kind: list[str] = Field(default=[], description="Case kind codes (see /case-kinds).")
    channel: list[str] = []
    priority: list[str] = Field(default=[], description="1 low, 2 normal, 3 high, 4 urgent.")
    team: int | None = None
    handler: str | None = Field(default=None, description="A user id, or `me`.")
    customer: int | None = None
    site: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    open_only: bool = False
    escalated: bool | None = None
    overdue: bool = Field(default=False, description="Only cases with a time standard overdue.")
    q: str = Field(default="", description="Full-text search over subject, request and messages.")
    sort: str = Field(
        default="queue",
        description="queue, recent, newest, oldest, priority, updated or due (the tightest"
        " running time standard first).",
    )


def _split(values: list[str]) -> list[str]:
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _checked(values: list[str], field: str, allowed: list[str]) -> list[str]:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValidationFailed(
            f"unknown {field}: {', '.join(bad)}", fields={field: f"one of {', '.join(allowed)}"}
        )
    return values


def filters_from(query: CaseQuery, user: User) -> selectors.CaseFilters:
    priorities = _checked(_split(query.priority), "priority", [str(p) for p in Priority.values])
    handler_id: int | None = None
    if query.handler == "me":
        handler_id = user.pk
    elif query.handler:
        if not query.handler.isdigit():
            raise ValidationFailed("handler must be a user id or 'me'", fields={"handler": "id"})
        handler_id = int(query.handler)
    if query.sort not in selectors.SORTS:
        raise ValidationFailed(
            "unknown sort", fields={"sort": f"one of {', '.join(selectors.SORTS)}"}
        )
    return selectors.CaseFilters(
        status=_checked(_split(query.status), "status", list(CaseStatus.values)),
        kind=_split(query.kind),
        channel=_checked(_split(query.channel), "channel", list(Channel.values)),
        priority=[int(p) for p in priorities],
        team_id=query.team,
        handler_id=handler_id,
        customer_id=query.customer,
        site_id=query.site,
        created_from=query.created_from,
        created_to=query.created_to,
        open_only=query.open_only,
        escalated=query.escalated,
        overdue=query.overdue,
        q=query.q,
        sort=query.sort,
    )


def case_page(user: User, filters: selectors.CaseFilters, page: PageParams) -> dict[str, Any]:
    rows, meta = paginate(selectors.list_cases_for(user, filters), page)
    return {"items": [presenters.case_item(c, user) for c in rows], **meta}


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="List and search cases")
def list_cases(
    request: HttpRequest, query: Query[CaseQuery], page: Query[PageParams]
) -> dict[str, Any]:
    """The cases you may see. With `q`, best matches first; otherwise ordered by `sort`."""
    user = current_user(request)
    return case_page(user, filters_from(query, user), page)


@router.post("/cases", response={201: CaseDetail, **ERRORS}, summary="Open a case")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    """Register a contact. The customer is `customer_id`, or found by phone/email, or created."""
    user = current_user(request)
    actor = Actor.staff(user)
    if (payload.customer is None) == (payload.customer_id is None):
        raise ValidationFailed(
            "give either customer or customer_id",
            fields={"customer": "customer or customer_id is required (not both)"},
        )
    team = lookups.team(payload.team_id)
    # The customer and the case are one write: a refused case leaves no new customer behind.
    with transaction.atomic():
        if payload.customer_id is not None:
            try:
                customer = get_customer(user, payload.customer_id)
            except NotFound as exc:
                raise ValidationFailed(
                    f"customer {payload.customer_id} does not exist",
                    fields={"customer_id": "unknown id"},
                ) from exc
        else:
            assert payload.customer is not None
            customer = find_or_create_customer(
                actor=actor,
                name=payload.customer.name,
                phone=payload.customer.phone,
                email=payload.customer.email,
            )
        case = actions.open_case(
            actor=actor,
            kind=payload.kind,
            channel=payload.channel,
            subject=payload.subject,
            description=payload.description,
            customer=customer,
            priority=payload.priority,
            product=payload.product,
            tags=payload.tags,
            team=team,
        )
    return Status(201, detail_for(user, case.pk))


@router.get("/cases/{int:case_id}", response={200: CaseDetail, **ERRORS}, summary="A case")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return detail_for(current_user(request), case_id)


@router.patch("/cases/{int:case_id}", response={200: CaseDetail, **ERRORS}, summary="Edit a case")
def edit_case(request: HttpRequest, case_id: int, payload: CaseEditIn) -> dict[str, Any]:
    """Change subject, description, product, tags or priority. `version` is required."""
    user = current_user(request)
    selectors.get_case_for(user, case_id)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    if not fields:
        raise ValidationFailed(
            "nothing to change",
            fields={
                "subject": "give at least one of subject, description, product, tags, priority"
            },
        )
    actions.edit_case(case_id, actor=Actor.staff(user), version=version, **fields)
    return detail_for(user, case_id)


@router.get(
    "/cases/{int:case_id}/events", response={200: EventList, **ERRORS}, summary="The timeline"
)
def case_events(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """The service record (服务记录), oldest first, each event with its actor."""
    case: Case = selectors.get_case_for(current_user(request), case_id)
    items = [presenters.event(ev, case) for ev in selectors.case_timeline(case)]
    return {"items": items, "count": len(items)}
