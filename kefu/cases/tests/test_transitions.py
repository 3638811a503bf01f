"""Every workflow step from every status: allowed ones move the case, refused ones change
nothing but the record of the refused attempt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import CaseStatus, EventType
from kefu.cases.models import Case, CaseEvent
from kefu.cases.transitions import WORKFLOWS, actions_from, target_status
from kefu.core.errors import TransitionNotAllowed
from tests.factories import Org, advance, make_case

STATUSES = [s.value for s in CaseStatus]


def _call(org: Org, case: Case, action: str) -> Case:
    a = Actor.staff(org.agent)
    calls: dict[str, Callable[[], Any]] = {
        "accept": lambda: actions.accept_case(case.pk, actor=a),
        "assign": lambda: actions.assign_case(case.pk, actor=a, handler=org.teammate),
        "contact": lambda: actions.mark_contacted(case.pk, actor=a),
        "await_customer": lambda: actions.await_customer(case.pk, actor=a),
        "resume": lambda: actions.resume_case(case.pk, actor=a),
        "resolve": lambda: actions.resolve_case(
            case.pk, actor=a, resolution="已退还", stance="shared"
        ),
        "close": lambda: actions.close_case(
            case.pk, actor=a, cause="billing", root_cause="系统计费错误", improvement_needed=False
        ),
        "reopen": lambda: actions.reopen_case(case.pk, actor=a, reason="客户再次来电"),
        "escalate": lambda: actions.escalate_case(case.pk, actor=a, reason="需要班长支持"),
        "transfer": lambda: actions.transfer_case(case.pk, actor=a, team=org.billing_team),
        "change_kind": lambda: actions.change_case_kind(case.pk, actor=a, kind="inquiry"),
        "record_return_visit": lambda: actions.record_return_visit(
            case.pk, actor=a, outcome="satisfied"
        ),
    }
    result = calls[action]()
    return result if isinstance(result, Case) else Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(WORKFLOWS["complaint"]))
def test_complaint_step_from_every_status(org: Org, status: str, action: str) -> None:
    # given a complaint in `status`, handled by the agent
    case = advance(org, make_case(org), status)
    table = WORKFLOWS["complaint"][action]
    events_before = CaseEvent.objects.filter(case=case).count()

    if status in table.moves:
        # when the step is allowed, then the case moves to the table's target status
        moved = _call(org, case, action)
        assert moved.status == table.moves[status]
        assert CaseEvent.objects.filter(case=case).count() > events_before
    else:
        # when it is refused, then nothing changes but the refused attempt is on record
        with pytest.raises(TransitionNotAllowed) as refused:
            _call(org, case, action)
        assert refused.value.allowed == sorted(actions_from("complaint", status))
        after = Case.objects.get(pk=case.pk)
        assert (after.status, after.version) == (case.status, case.version)
        last = CaseEvent.objects.filter(case=case).order_by("-id").first()
        assert last is not None
        assert last.type == EventType.ATTEMPT_REFUSED
        assert last.data["action"] == action


@pytest.mark.parametrize("workflow", list(WORKFLOWS))
@pytest.mark.parametrize("status", STATUSES)
def test_table_lookup_agrees_with_allowed_actions(workflow: str, status: str) -> None:
    for action, transition in WORKFLOWS[workflow].items():
        if status in transition.moves:
            assert target_status(workflow, action, status) == transition.moves[status]
            assert action in actions_from(workflow, status)
        else:
            with pytest.raises(TransitionNotAllowed):
                target_status(workflow, action, status)


def test_standard_kinds_may_be_answered_at_once(org: Org) -> None:
    # given an accepted inquiry
    case = make_case(org, kind="inquiry", subject="宽带资费咨询")
    actions.accept_case(case.pk, actor=Actor.staff(org.agent))
    # when it is resolved without a separate assignment, then it is resolved with no stance
    resolved = actions.resolve_case(
        case.pk, actor=Actor.staff(org.agent), resolution="已告知资费标准"
    )
    assert resolved.status == CaseStatus.RESOLVED
    assert resolved.stance == ""
    closed = actions.close_case(case.pk, actor=Actor.staff(org.agent))
    assert closed.status == CaseStatus.CLOSED
    assert not closed.return_visits.exists()


def test_unknown_workflow_falls_back_to_standard() -> None:
    assert actions_from("no-such-workflow", CaseStatus.ACCEPTED) == actions_from(
        "standard", CaseStatus.ACCEPTED
    )
