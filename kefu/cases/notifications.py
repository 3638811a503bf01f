"""Notices to staff about a case: in the app at once, by email inside the recipient's working
hours (at once when the case is critical). Private helpers of the case actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.cases.choices import Priority
from kefu.cases.models import CaseNotification
from kefu.core.bulk import append_rows
from kefu.sla import business_time as bt
from kefu.sla.policies import Metric, metric_label
from kefu.sla.targets import CalendarAssignments, SpecCache

BREACH, WARNING = "sla_breach", "sla_warning"


def notice_text(kind: str, number: str, metric: str, labels: dict[str, str] | None = None) -> str:
    """What a notice says, in the active language: 工单 TS-2026-000001 已超时（限时结案）."""
    label = (labels or {}).get(metric) or metric_label(metric)
    words = _("工单 %(number)s 已超时（%(metric)s）") if kind == BREACH else None
    if kind == WARNING:
        words = _("工单 %(number)s 即将超时（%(metric)s）")
    if words is None:
        return number
    return words % {"number": number, "metric": label}


def notification_text(note: CaseNotification) -> str:
    """A stored notice in the reader's language (as it was written, for notices that name no
    time standard)."""
    if not note.metric:
        return note.text
    return notice_text(note.kind, note.case.number, note.metric)


class NoticeCase(Protocol):
    """What a notice needs of its case (a model instance or a sweep's plain row)."""

    @property
    def pk(self) -> Any: ...

    number: str
    priority: int


class Notices:
    """The notices of one unit of work (a sweep batch), written in one insert.

    The calendar assignments are read once (or passed in, for a whole sweep) and the next
    open moment is computed once per calendar, not once per notice.
    """

    def __init__(
        self,
        now: dt.datetime,
        cache: SpecCache | None = None,
        calendars: CalendarAssignments | None = None,
    ) -> None:
        self.now = now
        self.cache = cache or SpecCache()
        self.calendars = calendars or CalendarAssignments()
        self.rows: list[tuple[int, int, str, str, str, dt.datetime, dt.datetime]] = []
        self._next_open: dict[int, dt.datetime] = {}
        self._labels = {m: str(label) for m, label in Metric.choices}  # once, not per notice

    def deliver_after(self, recipient: User, case: NoticeCase) -> dt.datetime:
        if case.priority >= Priority.URGENT:
            return self.now
        calendar_id = self.calendars.calendar_id_for(recipient.team_id, recipient.site_id)
        moment = self._next_open.get(calendar_id)
        if moment is None:
            moment = bt.next_open(self.cache.get(calendar_id), self.now)
            self._next_open[calendar_id] = moment
        return moment

    def add(
        self, recipients: Iterable[User | None], case: NoticeCase, *, kind: str, metric: str
    ) -> None:
        """One notice per distinct active recipient about the case's `metric` clock."""
        text = notice_text(kind, case.number, metric, self._labels)
        seen: set[int] = set()
        for user in recipients:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            self.rows.append(
                (
                    user.pk,
                    case.pk,
                    kind,
                    metric,
                    text[:300],
                    self.now,
                    self.deliver_after(user, case),
                )
            )

    def save(self) -> int:
        """Insert the notices collected; how many."""
        rows, self.rows = self.rows, []
        append_rows(CaseNotification, _FIELDS, rows)
        return len(rows)


_FIELDS = ["recipient", "case", "kind", "metric", "text", "created_at", "deliver_after"]
