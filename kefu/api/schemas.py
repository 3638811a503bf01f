"""Request and response shapes. They generate the OpenAPI 3 document at /api/v1/openapi.json."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

# --- shared ------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]
    allowed: list[str] | None = Field(default=None, description="Set for transition_not_allowed.")


class ErrorOut(Schema):
    error: ErrorDetail


class UserRef(Schema):
    id: int
    username: str
    name: str


class TeamRef(Schema):
    id: int
    code: str
    name: str


class SiteRef(Schema):
    id: int
    code: str
    name: str


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class Page(Schema):
    count: int = Field(description="All matching rows, not just this page.")
    page: int
    page_size: int


# --- customers ---------------------------------------------------------------------------


class CustomerBrief(Schema):
    id: int
    name: str
    phone: str = Field(description="Masked (138****5678) unless your role may see personal data.")
    email: str
    masked: bool


class CustomerOut(CustomerBrief):
    kind: str
    tier: str
    phones: list[str]
    emails: list[str]
    organisation_id: int | None
    created_at: dt.datetime


class CustomerPage(Page):
    items: list[CustomerBrief]


class CustomerIn(Schema):
    name: str = Field(max_length=200)
    phone: str = ""
    email: str = ""
    kind: Literal["person", "organisation"] = "person"


# --- cases -------------------------------------------------------------------------------


class CaseListItem(Schema):
    id: int
    number: str
    kind: str
    kind_name: str
    is_complaint: bool
    channel: str
    priority: int
    status: str
    status_label: str
    subject: str
    customer: CustomerBrief
    team: TeamRef | None
    handler: UserRef | None
    escalation_level: int
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class CasePage(Page):
    items: list[CaseListItem]


class ReturnVisitOut(Schema):
    id: int
    due_at: dt.datetime
    outcome: str
    note: str
    recorded_by: UserRef | None
    recorded_at: dt.datetime | None


class TimerOut(Schema):
    metric: str = Field(description="assign, first_response, resolution or return_visit.")
    due_at: dt.datetime
    state: str = Field(description="ok, warning, breached or paused.")
    remaining_seconds: int = Field(description="Time left (negative when overdue).")
    business_time: bool = Field(description="Counted in the calendar's working hours.")


class CaseDetail(CaseListItem):
    description: str
    product: str
    tags: list[str]
    site: SiteRef | None
    created_by: UserRef | None
    accepted_by: UserRef | None
    escalated_to: UserRef | None
    accepted_at: dt.datetime | None
    assigned_at: dt.datetime | None
    seconds_to_assign: int | None
    first_contact_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    stance: str
    resolution: str
    cause: str | None
    root_cause: str
    improvement_needed: bool | None
    responsible_person: UserRef | None
    responsible_department: DepartmentRef | None
    return_visits: list[ReturnVisitOut]
    timers: list[TimerOut] = Field(
        description="The running time standards (时限), most urgent first."
    )
    allowed_actions: list[str] = Field(
        description="Workflow steps you may take now; POST /cases/{id}/<action with - for _>."
    )


class NewCustomerIn(Schema):
    name: str = Field(max_length=200)
    phone: str = ""
    email: str = ""


class CaseIn(Schema):
    kind: str
    channel: str
    subject: str = Field(max_length=200)
    description: str = ""
    customer: NewCustomerIn | None = Field(
        default=None, description="Found by phone or email, or created. Or give customer_id."
    )
    customer_id: int | None = None
    priority: int = 2
    product: str = Field(default="", max_length=100)
    tags: list[str] = []
    team_id: int | None = None


class CaseEditIn(Schema):
    version: int = Field(description="The version you read; a stale one answers 409.")
    subject: str | None = Field(default=None, max_length=200)
    description: str | None = None
    product: str | None = Field(default=None, max_length=100)
    tags: list[str] | None = None
    priority: int | None = None


class ActorOut(Schema):
    kind: str
    id: int | None
    name: str


class EventOut(Schema):
    id: int
    type: str
    type_label: str
    at: dt.datetime
    actor: ActorOut
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    data: dict[str, Any] = Field(description="Everything else the event recorded.")


class EventList(Schema):
    items: list[EventOut]
    count: int


# --- workflow payloads -------------------------------------------------------------------


class VersionIn(Schema):
    version: int | None = Field(
        default=None, description="The case version you read; a stale one answers 409."
    )


class AssignIn(VersionIn):
    handler_id: int
    reason: str = ""


class NoteIn(VersionIn):
    note: str = ""


class ReasonIn(VersionIn):
    reason: str = ""


class ReopenIn(VersionIn):
    reason: str


class ResolveIn(VersionIn):
    resolution: str
    stance: str = ""


class CloseIn(VersionIn):
    cause: str = ""
    root_cause: str = ""
    improvement_needed: bool | None = None
    responsible_person_id: int | None = None
    responsible_department_id: int | None = None


class TransferIn(VersionIn):
    team_id: int
    reason: str = ""


class ChangeKindIn(VersionIn):
    kind: str
    reason: str = ""


class ReturnVisitIn(VersionIn):
    outcome: str
    note: str = ""


# --- messages and attachments ------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    message_id: int | None
    uploaded_by: UserRef | None
    created_at: dt.datetime


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    author: ActorOut
    call_direction: str
    call_duration_seconds: int | None
    visited_at: dt.datetime | None
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class MessageList(Schema):
    items: list[MessageOut]
    count: int


class AttachmentList(Schema):
    items: list[AttachmentOut]
    count: int


class MessageIn(Schema):
    kind: Literal["inbound", "outbound", "note", "call", "visit"]
    body: str
    call_direction: Literal["inbound", "outbound", ""] = ""
    call_duration_seconds: int | None = Field(default=None, ge=0)
    visited_at: dt.datetime | None = None
    confirm_override: bool = Field(
        default=False,
        description="An outbound reply is checked like the composer's: with forbidden phrases "
        "it gets 409 assist_confirmation_required until sent again with true (recorded), or "
        "403 assist_reply_blocked where the site blocks them.",
    )


# --- reference data ----------------------------------------------------------------------


class CaseKindOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    workflow: str
    is_complaint: bool


class CaseKindList(Schema):
    items: list[CaseKindOut]
    count: int


class CauseCategoryOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    is_work_quality: bool


class CauseCategoryList(Schema):
    items: list[CauseCategoryOut]
    count: int


class TeamOut(TeamRef):
    site: SiteRef
    department: DepartmentRef
    supervisor: UserRef | None


class TeamList(Schema):
    items: list[TeamOut]
    count: int


class StaffOut(UserRef):
    role: str
    team_id: int | None
    site_id: int | None


class StaffPage(Page):
    items: list[StaffOut]
