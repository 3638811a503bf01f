"""Notices to staff about a case: in the app at once, by email inside the recipient's working
hours (at once when the case is critical). Private helpers of kefu.cases.actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from kefu.accounts.models import User
from kefu.cases.choices import Priority
from kefu.cases.models import Case, CaseNotification
from kefu.sla import business_time as bt
from kefu.sla.targets import SpecCache, calendar_id_for


def deliver_after(recipient: User, case: Case, now: dt.datetime, cache: SpecCache) -> dt.datetime:
    if case.priority >= Priority.URGENT:
        return now
    spec = cache.get(calendar_id_for(recipient.team_id, recipient.site_id))
    return bt.next_open(spec, now)


def notify(
    recipients: Iterable[User | None], case: Case, *, kind: str, text: str, now: dt.datetime
) -> list[CaseNotification]:
    cache = SpecCache()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            CaseNotification(
                recipient=user,
                case=case,
                kind=kind,
                text=text[:300],
                created_at=now,
                deliver_after=deliver_after(user, case, now, cache),
            )
        )
    return CaseNotification.objects.bulk_create(rows)
