"""The agent's queues: which cases each one shows, and who may open it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising
from kefu.cases.choices import CaseStatus
from kefu.cases.models import Case, CaseKind
from kefu.cases.selectors import CaseFilters, list_cases_for, return_visits_due_for


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str | Promise
    empty: str | Promise
    # Narrow the user's filters to this queue (the queue's own condition wins).
    narrow: Callable[[User, CaseFilters, list[CaseKind]], CaseFilters]
    allowed: Callable[[User], bool] = lambda user: True
    lister: Callable[[User, CaseFilters], QuerySet[Case]] = list_cases_for
    # Working queues are first in, first out; the history reads newest first.
    default_sort: str = "queue"

    def cases(self, user: User, filters: CaseFilters, kinds: list[CaseKind]) -> QuerySet[Case]:
        return self.lister(user, self.narrow(user, filters, kinds))


def _open(f: CaseFilters) -> CaseFilters:
    return replace(f, open_only=True)


def _complaints(f: CaseFilters, kinds: list[CaseKind]) -> CaseFilters:
    if not f.kind:
        return replace(f, complaints_only=True, open_only=True)
    codes = {k.code for k in kinds if k.is_complaint}
    chosen = [c for c in f.kind if c in codes]
    return replace(f, kind=chosen or ["-"], open_only=True)


QUEUES: list[Queue] = [
    Queue(
        "mine",
        _("我的工单"),
        _("您手上没有未结的工单。"),
        lambda u, f, k: _open(replace(f, handler_id=u.pk)),
    ),
    Queue(
        "team",
        _("本组工单"),
        _("本组没有未结的工单。"),
        lambda u, f, k: _open(replace(f, team_id=u.team_id)),
        allowed=lambda u: u.team_id is not None,
    ),
    Queue(
        "unaccepted",
        _("待受理"),
        _("没有等待受理的工单。"),
        lambda u, f, k: replace(f, status=[CaseStatus.NEW]),
    ),
    Queue(
        "escalated",
        _("已升级"),
        _("没有升级中的工单。"),
        lambda u, f, k: _open(replace(f, escalated=True)),
    ),
    Queue("complaints", _("投诉"), _("没有未结的投诉。"), lambda u, f, k: _complaints(f, k)),
    Queue(
        "overdue",
        _("已超时"),
        _("没有超过时限的工单。"),
        lambda u, f, k: _open(replace(f, overdue=True)),
        default_sort="due",
    ),
    Queue(
        "return_visits",
        _("待回访"),
        _("没有待回访的工单。"),
        lambda u, f, k: f,
        lister=return_visits_due_for,
    ),
    Queue(
        "all",
        _("全部工单"),
        _("没有符合条件的工单。"),
        lambda u, f, k: f,
        allowed=is_supervising,
        default_sort="recent",
    ),
]
BY_SLUG = {q.slug: q for q in QUEUES}


def queues_for(user: User) -> list[Queue]:
    return [q for q in QUEUES if q.allowed(user)]
