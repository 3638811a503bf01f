"""One endpoint per workflow step: POST /cases/{id}/<step>. Each returns the updated case.

Every step takes an optional `version`: when given, the step happens only if the case is
still at that version (otherwise 409 stale_version), checked under the case's row lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.api import lookups, presenters
from kefu.api.auth import current_user
from kefu.api.routers.cases import ERRORS, detail_for
from kefu.api.schemas import (
    AssignIn,
    CaseDetail,
    ChangeKindIn,
    CloseIn,
    NoteIn,
    ReasonIn,
    ReopenIn,
    ResolveIn,
    ReturnVisitIn,
    TransferIn,
    VersionIn,
)
from kefu.cases import actions, selectors
from kefu.cases.models import Case
from kefu.core.errors import NotFound

router = Router(tags=["workflow"])
RESPONSES: dict[int, Any] = {200: CaseDetail, **ERRORS}


def run_step(
    user: User, case_id: int, version: int | None, step: Callable[[Actor, int | None], object]
) -> dict[str, Any]:
    """Check visibility (404), then run the action; the action checks `version` under the
    case's row lock (409 stale_version) and keeps a refused attempt on the record."""
    selectors.get_case_for(user, case_id)
    step(Actor.staff(user), version)
    try:
        return detail_for(user, case_id)
    except NotFound:
        # The step moved the case out of the user's sight (a transfer): show the result once.
        case = Case.objects.select_related(
            "kind",
            "customer",
            "team",
            "site",
            "handler",
            "escalated_to",
            "cause",
            "responsible_person",
            "responsible_department",
            "accepted_by",
            "created_by",
        ).get(pk=case_id)
        return presenters.case_detail(case, user, allowed=[], visits=[])


def _user(request: HttpRequest) -> User:
    return current_user(request)


@router.post("/cases/{int:case_id}/accept", response=RESPONSES, summary="受理 Accept")
def accept(request: HttpRequest, case_id: int, payload: VersionIn | None = None) -> Any:
    body = payload or VersionIn()

    def step(actor: Actor, version: int | None) -> object:
        return actions.accept_case(case_id, actor=actor, expected_version=version)

    return run_step(_user(request), case_id, body.version, step)


@router.post("/cases/{int:case_id}/assign", response=RESPONSES, summary="派单 Assign")
def assign(request: HttpRequest, case_id: int, payload: AssignIn) -> Any:
    handler = lookups.staff(payload.handler_id, "handler_id")
    assert handler is not None

    def step(actor: Actor, version: int | None) -> object:
        return actions.assign_case(
            case_id, actor=actor, handler=handler, reason=payload.reason, expected_version=version
        )

    return run_step(_user(request), case_id, payload.version, step)


@router.post("/cases/{int:case_id}/contact", response=RESPONSES, summary="Customer contacted")
def contact(request: HttpRequest, case_id: int, payload: NoteIn | None = None) -> Any:
    body = payload or NoteIn()

    def step(actor: Actor, version: int | None) -> object:
        return actions.mark_contacted(
            case_id, actor=actor, note=body.note, expected_version=version
        )

    return run_step(_user(request), case_id, body.version, step)


@router.post(
    "/cases/{int:case_id}/await-customer", response=RESPONSES, summary="Wait for the customer"
)
def await_customer(request: HttpRequest, case_id: int, payload: ReasonIn | None = None) -> Any:
    body = payload or ReasonIn()

    def step(actor: Actor, version: int | None) -> object:
        return actions.await_customer(
            case_id, actor=actor, reason=body.reason, expected_version=version
        )

    return run_step(_user(request), case_id, body.version, step)


@router.post("/cases/{int:case_id}/resume", response=RESPONSES, summary="Resume handling")
def resume(request: HttpRequest, case_id: int, payload: ReasonIn | None = None) -> Any:
    body = payload or ReasonIn()

    def step(actor: Actor, version: int | None) -> object:
        return actions.resume_case(
            case_id, actor=actor, reason=body.reason, expected_version=version
        )

    return run_step(_user(request), case_id, body.version, step)


@router.post("/cases/{int:case_id}/resolve", response=RESPONSES, summary="解决 Resolve")
def resolve(request: HttpRequest, case_id: int, payload: ResolveIn) -> Any:
    """`stance` (ours, shared, customer_misunderstanding) is required for complaints."""

    def step(actor: Actor, version: int | None) -> object:
        return actions.resolve_case(
            case_id,
            actor=actor,
            resolution=payload.resolution,
            stance=payload.stance,
            expected_version=version,
        )

    return run_step(_user(request), case_id, payload.version, step)


@router.post("/cases/{int:case_id}/close", response=RESPONSES, summary="结案 Close")
def close(request: HttpRequest, case_id: int, payload: CloseIn) -> Any:
    """A complaint closes only with cause, root_cause and improvement_needed (改进)."""
    person = lookups.staff(payload.responsible_person_id, "responsible_person_id")
    department = lookups.department(payload.responsible_department_id, "responsible_department_id")

    def step(actor: Actor, version: int | None) -> object:
        return actions.close_case(
            case_id,
            actor=actor,
            cause=payload.cause,
            root_cause=payload.root_cause,
            improvement_needed=payload.improvement_needed,
            responsible_person=person,
            responsible_department=department,
            expected_version=version,
        )

    return run_step(_user(request), case_id, payload.version, step)


@router.post("/cases/{int:case_id}/reopen", response=RESPONSES, summary="重开 Reopen")
def reopen(request: HttpRequest, case_id: int, payload: ReopenIn) -> Any:
    def step(actor: Actor, version: int | None) -> object:
        return actions.reopen_case(
            case_id, actor=actor, reason=payload.reason, expected_version=version
        )

    return run_step(_user(request), case_id, payload.version, step)


@router.post("/cases/{int:case_id}/escalate", response=RESPONSES, summary="升级 Escalate")
def escalate(request: HttpRequest, case_id: int, payload: ReasonIn | None = None) -> Any:
    """To the team supervisor, then to the site's first responsible person (第一责任人)."""
    body = payload or ReasonIn()

    def step(actor: Actor, version: int | None) -> object:
        return actions.escalate_case(
            case_id, actor=actor, reason=body.reason, expected_version=version
        )

    return run_step(_user(request), case_id, body.version, step)


@router.post("/cases/{int:case_id}/transfer", response=RESPONSES, summary="转派 Transfer")
def transfer(request: HttpRequest, case_id: int, payload: TransferIn) -> Any:
    team = lookups.team(payload.team_id)
    assert team is not None

    def step(actor: Actor, version: int | None) -> object:
        return actions.transfer_case(
            case_id, actor=actor, team=team, reason=payload.reason, expected_version=version
        )

    return run_step(_user(request), case_id, payload.version, step)


@router.post("/cases/{int:case_id}/change-kind", response=RESPONSES, summary="Change the kind")
def change_kind(request: HttpRequest, case_id: int, payload: ChangeKindIn) -> Any:
    def step(actor: Actor, version: int | None) -> object:
        return actions.change_case_kind(
            case_id, actor=actor, kind=payload.kind, reason=payload.reason, expected_version=version
        )

    return run_step(_user(request), case_id, payload.version, step)


@router.post("/cases/{int:case_id}/return-visit", response=RESPONSES, summary="回访 Return visit")
def return_visit(request: HttpRequest, case_id: int, payload: ReturnVisitIn) -> Any:
    """Record the return visit's outcome: satisfied, not_satisfied (reopens) or unreachable."""

    def step(actor: Actor, version: int | None) -> object:
        return actions.record_return_visit(
            case_id,
            actor=actor,
            outcome=payload.outcome,
            note=payload.note,
            expected_version=version,
        )

    return run_step(_user(request), case_id, payload.version, step)
