"""Reference data for clients: case kinds, cause categories, teams and staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from kefu.accounts.choices import Role
from kefu.accounts.selectors import all_teams, assignable_handlers
from kefu.api import presenters
from kefu.api.pagination import PageParams, paginate
from kefu.api.routers.cases import ERRORS
from kefu.api.schemas import CaseKindList, CauseCategoryList, StaffPage, TeamList
from kefu.cases.models import CaseKind, CauseCategory
from kefu.core.errors import ValidationFailed

router = Router(tags=["reference"])


@router.get("/case-kinds", response={200: CaseKindList, **ERRORS}, summary="Case kinds")
def case_kinds(request: HttpRequest) -> dict[str, Any]:
    items = [
        {
            "code": k.code,
            "name": presenters.localized(k.name_zh, k.name_en),
            "name_zh": k.name_zh,
            "name_en": k.name_en,
            "workflow": k.workflow,
            "is_complaint": k.is_complaint,
        }
        for k in CaseKind.objects.filter(active=True)
    ]
    return {"items": items, "count": len(items)}


@router.get(
    "/cause-categories",
    response={200: CauseCategoryList, **ERRORS},
    summary="Complaint cause categories (for closing a complaint)",
)
def cause_categories(request: HttpRequest) -> dict[str, Any]:
    items = [
        {
            "code": c.code,
            "name": presenters.localized(c.name_zh, c.name_en),
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "is_work_quality": c.is_work_quality,
        }
        for c in CauseCategory.objects.filter(active=True)
    ]
    return {"items": items, "count": len(items)}


@router.get("/teams", response={200: TeamList, **ERRORS}, summary="Teams")
def teams(request: HttpRequest) -> dict[str, Any]:
    qs = all_teams().select_related("supervisor")
    items = [
        {
            **(presenters.team_ref(t) or {}),
            "site": presenters.site_ref(t.site),
            "department": presenters.department_ref(t.department),
            "supervisor": presenters.user_ref(t.supervisor),
        }
        for t in qs
    ]
    return {"items": items, "count": len(items)}


class StaffQuery(PageParams):
    team: int | None = Field(default=None, description="Team id.")
    role: str | None = Field(
        default=None, description="agent, supervisor, site_manager, backoffice, admin"
    )


@router.get("/users", response={200: StaffPage, **ERRORS}, summary="Staff who can handle a case")
def users(request: HttpRequest, query: Query[StaffQuery]) -> dict[str, Any]:
    qs = assignable_handlers()
    if query.team is not None:
        qs = qs.filter(team_id=query.team)
    if query.role:
        if query.role not in Role.values:
            raise ValidationFailed(
                "unknown role", fields={"role": f"one of {', '.join(Role.values)}"}
            )
        qs = qs.filter(role=query.role)
    rows, meta = paginate(qs, query)
    items = [
        {
            **(presenters.user_ref(u) or {}),
            "role": u.role,
            "team_id": u.team_id,
            "site_id": u.site_id,
        }
        for u in rows
    ]
    return {"items": items, **meta}
