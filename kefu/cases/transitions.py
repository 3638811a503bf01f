"""The workflow as data: one transition table per workflow, enforced by the actions.

The same table drives the case page's buttons and the API's `allowed_actions`.
A case kind names its workflow (CaseKind.workflow), so new kinds reuse a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.cases.choices import CaseStatus as S
from kefu.core.errors import TransitionNotAllowed

_OPEN = (S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_CUSTOMER)
_HANDLED = (S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_CUSTOMER)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    # source status -> status after the action (the same status where it does not move)
    moves: Mapping[str, str]

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(self.moves)


def _same(*statuses: str) -> dict[str, str]:
    return {s: s for s in statuses}


def _table(*transitions: Transition) -> dict[str, Transition]:
    return {t.action: t for t in transitions}


ACCEPT = Transition("accept", _("受理"), {S.NEW: S.ACCEPTED})
ASSIGN = Transition(
    "assign",
    _("派单"),
    {S.ACCEPTED: S.ASSIGNED, **_same(*_HANDLED)},
)
CONTACT = Transition("contact", _("已联系客户"), {S.ASSIGNED: S.IN_PROGRESS})
AWAIT_CUSTOMER = Transition("await_customer", _("等待客户"), {S.IN_PROGRESS: S.AWAITING_CUSTOMER})
RESUME = Transition("resume", _("恢复处理"), {S.AWAITING_CUSTOMER: S.IN_PROGRESS})
CLOSE = Transition("close", _("结案"), {S.RESOLVED: S.CLOSED})
REOPEN = Transition("reopen", _("重开"), {S.RESOLVED: S.IN_PROGRESS, S.CLOSED: S.IN_PROGRESS})
ESCALATE = Transition("escalate", _("升级"), _same(S.NEW, S.ACCEPTED, *_HANDLED))
TRANSFER = Transition(
    "transfer",
    _("转派班组"),
    {S.NEW: S.NEW, S.ACCEPTED: S.ACCEPTED, **{s: S.ACCEPTED for s in _HANDLED}},
)
CHANGE_KIND = Transition("change_kind", _("变更类型"), _same(*_OPEN, S.RESOLVED))
RETURN_VISIT = Transition("record_return_visit", _("记录回访"), _same(S.CLOSED))

WORKFLOWS: dict[str, dict[str, Transition]] = {
    # 投诉: accept → assign → contact → (await customer) → resolve → close (with the
    # improvement fields) → return visit.
    "complaint": _table(
        ACCEPT,
        ASSIGN,
        CONTACT,
        AWAIT_CUSTOMER,
        RESUME,
        Transition(
            "resolve", _("解决"), {S.IN_PROGRESS: S.RESOLVED, S.AWAITING_CUSTOMER: S.RESOLVED}
        ),
        CLOSE,
        REOPEN,
        ESCALATE,
        TRANSFER,
        CHANGE_KIND,
        RETURN_VISIT,
    ),
    # Inquiries, suggestions, praise, repairs: the same steps, but an accepted case may be
    # answered at once (resolved without a separate assignment).
    "standard": _table(
        ACCEPT,
        ASSIGN,
        CONTACT,
        AWAIT_CUSTOMER,
        RESUME,
        Transition(
            "resolve",
            _("解决"),
            {
                S.ACCEPTED: S.RESOLVED,
                S.ASSIGNED: S.RESOLVED,
                S.IN_PROGRESS: S.RESOLVED,
                S.AWAITING_CUSTOMER: S.RESOLVED,
            },
        ),
        CLOSE,
        REOPEN,
        ESCALATE,
        TRANSFER,
        CHANGE_KIND,
    ),
}

# Workflows whose close needs the improvement fields (cause, root cause, …) and a return visit.
IMPROVEMENT_WORKFLOWS = frozenset({"complaint"})


def workflow_for(workflow: str) -> dict[str, Transition]:
    return WORKFLOWS.get(workflow, WORKFLOWS["standard"])


def actions_from(workflow: str, status: str) -> list[str]:
    """Actions the workflow allows from this status, in table order."""
    return [a for a, t in workflow_for(workflow).items() if status in t.moves]


def target_status(workflow: str, action: str, status: str) -> str:
    """The status after `action`, or TransitionNotAllowed naming the allowed actions."""
    transition = workflow_for(workflow).get(action)
    if transition is None or status not in transition.moves:
        allowed = actions_from(workflow, status)
        raise TransitionNotAllowed(
            f"'{action}' is not allowed while the case is {status}; "
            f"allowed: {', '.join(allowed) or 'none'}",
            allowed=allowed,
        )
    return transition.moves[status]
