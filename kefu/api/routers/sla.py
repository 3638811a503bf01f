"""Time standards: the SLA attainment report and the business-calendar due-time preview."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kefu.api.auth import current_user
from kefu.api.routers.cases import ERRORS
from kefu.cases.clock_selectors import GROUPINGS, sla_attainment
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.sla.selectors import get_calendar, list_calendars, preview_due

router = Router(tags=["time standards"])


class AttainmentRowOut(Schema):
    key: str
    label: str
    total: int = Field(description="Clocks decided in the period: stopped or breached.")
    met: int
    breached: int
    attainment: float | None = Field(description="Percentage of decided clocks that met.")


class AttainmentOut(Schema):
    group_by: str
    start: dt.date
    end: dt.date
    items: list[AttainmentRowOut]
    total: int
    met: int
    attainment: float | None


class AttainmentQuery(Schema):
    group_by: str = Field(
        default="team",
        description="team, handler, kind, metric, site, or period (per week for up to 120 "
        "days, else per month; key and label name the period's first day).",
    )
    start: dt.date | None = Field(default=None, description="First day (default: 30 days ago).")
    end: dt.date | None = Field(default=None, description="Last day (default: today).")


@router.get(
    "/sla/attainment",
    response={200: AttainmentOut, **ERRORS},
    summary="SLA attainment per team, handler, kind, metric, site or period",
)
def attainment(request: HttpRequest, query: Query[AttainmentQuery]) -> dict[str, Any]:
    if query.group_by not in GROUPINGS:
        raise ValidationFailed(
            "unknown grouping", fields={"group_by": f"one of {', '.join(GROUPINGS)}"}
        )
    end = query.end or clock.today()
    start = query.start or end - dt.timedelta(days=30)
    if start > end:
        raise ValidationFailed("start is after end", fields={"start": "on or before end"})
    rows = sla_attainment(current_user(request), start=start, end=end, group_by=query.group_by)
    total, met = sum(r.total for r in rows), sum(r.met for r in rows)
    return {
        "group_by": query.group_by,
        "start": start,
        "end": end,
        "items": [
            {
                "key": r.key,
                "label": r.label,
                "total": r.total,
                "met": r.met,
                "breached": r.breached,
                "attainment": r.attainment,
            }
            for r in rows
        ],
        "total": total,
        "met": met,
        "attainment": round(100.0 * met / total, 1) if total else None,
    }


class CalendarOut(Schema):
    code: str
    name: str
    time_zone: str
    region: str
    is_24x7: bool
    version: int


class CalendarList(Schema):
    items: list[CalendarOut]
    count: int


@router.get("/sla/calendars", response={200: CalendarList, **ERRORS}, summary="Business calendars")
def calendars(request: HttpRequest) -> dict[str, Any]:
    items = [
        {
            "code": c.code,
            "name": c.name,
            "time_zone": c.time_zone,
            "region": c.region,
            "is_24x7": c.is_24x7,
            "version": c.version,
        }
        for c in list_calendars()
    ]
    return {"items": items, "count": len(items)}


class PreviewQuery(Schema):
    start: dt.datetime = Field(description="When the case opens; without a zone: calendar time.")
    hours: float = Field(ge=0, le=24 * 365, description="The target in business hours.")


class PreviewDayOut(Schema):
    day: dt.date
    kind: str
    note: str
    estimated: bool


class PreviewOut(Schema):
    calendar: str
    start: dt.datetime
    due: dt.datetime
    target_hours: float
    calendar_hours: float = Field(description="Real time from start to due, in hours.")
    estimated: bool = Field(description="A crossed day lies beyond the official holiday data.")
    days: list[PreviewDayOut]


@router.get(
    "/sla/calendars/{code}/preview",
    response={200: PreviewOut, **ERRORS},
    summary="When is a target counted on this calendar due? (e.g. 17:50 before a holiday + 4h)",
)
def preview(request: HttpRequest, code: str, query: Query[PreviewQuery]) -> dict[str, Any]:
    result = preview_due(get_calendar(code), query.start, query.hours)
    return {
        "calendar": result.calendar,
        "start": result.start,
        "due": result.due,
        "target_hours": result.target.total_seconds() / 3600,
        "calendar_hours": round(result.calendar_time.total_seconds() / 3600, 4),
        "estimated": result.estimated,
        "days": [
            {"day": d.day, "kind": str(d.kind), "note": d.note, "estimated": d.estimated}
            for d in result.days
        ],
    }
