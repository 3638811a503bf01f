"""Notices to staff about a case: in the app at once, by email inside the recipient's working
hours (at once when the case is critical). Private helpers of the case actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from kefu.accounts.models import User
from kefu.cases.choices import Priority
from kefu.cases.models import Case, CaseNotification
from kefu.sla import business_time as bt
from kefu.sla.targets import SpecCache, calendar_id_for


class Notices:
    """The notices of one unit of work (an action, a sweep batch), written in one insert.

    The recipient's calendar and its next open moment are looked up once per (team, site)
    and calendar, not once per notice.
    """

    def __init__(self, now: dt.datetime, cache: SpecCache | None = None) -> None:
        self.now = now
        self.cache = cache or SpecCache()
        self.rows: list[CaseNotification] = []
        self._calendars: dict[tuple[int | None, int | None], int] = {}
        self._next_open: dict[int, dt.datetime] = {}

    def deliver_after(self, recipient: User, case: Case) -> dt.datetime:
        if case.priority >= Priority.URGENT:
            return self.now
        where = (recipient.team_id, recipient.site_id)
        calendar_id = self._calendars.get(where)
        if calendar_id is None:
            calendar_id = self._calendars[where] = calendar_id_for(*where)
        moment = self._next_open.get(calendar_id)
        if moment is None:
            moment = bt.next_open(self.cache.get(calendar_id), self.now)
            self._next_open[calendar_id] = moment
        return moment

    def add(self, recipients: Iterable[User | None], case: Case, *, kind: str, text: str) -> None:
        """One notice per distinct active recipient."""
        seen: set[int] = set()
        for user in recipients:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            self.rows.append(
                CaseNotification(
                    recipient=user,
                    case=case,
                    kind=kind,
                    text=text[:300],
                    created_at=self.now,
                    deliver_after=self.deliver_after(user, case),
                )
            )

    def save(self) -> list[CaseNotification]:
        rows, self.rows = self.rows, []
        return CaseNotification.objects.bulk_create(rows, batch_size=1000)


def deliver_after(recipient: User, case: Case, now: dt.datetime, cache: SpecCache) -> dt.datetime:
    return Notices(now, cache).deliver_after(recipient, case)


def notify(
    recipients: Iterable[User | None], case: Case, *, kind: str, text: str, now: dt.datetime
) -> list[CaseNotification]:
    notices = Notices(now)
    notices.add(recipients, case, kind=kind, text=text)
    return notices.save()
