"""Time standards, the worker's writes: the sweep of due warnings and breaches (with the
escalation a breach causes), email delivery of notices, and the recomputation of due times
after the rules change. Re-exported by kefu.cases.actions, the one write path of cases.

The sweep works in batches of cases, each batch one short transaction: find the due clocks
by index, lock their cases (SKIP LOCKED on PostgreSQL, so several workers share the load and
a case being edited is left for the next round), re-read and lock the due clocks of the
locked cases, then write the events, the escalated cases, the clocks and the notices with a
few bulk statements. A warning or breach is recorded once: only under the case's lock, and
only while the clock is still unmarked; a worker that dies midway loses its uncommitted
batch, which the next sweep does again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Case as Case_
from django.db.models import F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import translation

from kefu.accounts.actors import Actor
from kefu.accounts.models import Site, Team, User
from kefu.cases import escalation
from kefu.cases.choices import EventType
from kefu.cases.clocks import (
    ESCALATING_METRICS,
    RuleVersions,
    recompute_batch,
    recompute_clocks,
)
from kefu.cases.events import record_event, record_events_by
from kefu.cases.lock_objects import lock_case
from kefu.cases.models import Case, CaseClock, CaseKind, CaseNotification
from kefu.cases.notifications import BREACH as BREACH_NOTICE
from kefu.cases.notifications import WARNING as WARNING_NOTICE
from kefu.cases.notifications import Notices, notification_text
from kefu.cases.transitions import target_status
from kefu.core import clock
from kefu.core.bulk import id_list, update_rows
from kefu.core.errors import TransitionNotAllowed
from kefu.core.memory import without_cyclic_gc
from kefu.sla.targets import CalendarAssignments, RuleBook, SpecCache

SLA = "sla"
BREACH, WARNING = "breach", "warning"
_ESCALATION_FIELDS = ["escalation_level", "escalated_to", "version", "updated_at"]


# --- the sweep ----------------------------------------------------------------------------


SWEEP_BATCH = 1000


def sweep_clocks(*, now: dt.datetime | None = None, batch: int = SWEEP_BATCH) -> tuple[int, int]:
    """Warn and breach every clock due at `now`, found by index, `batch` cases per short
    transaction. Returns (warned, breached) by this sweep.

    Overlapping sweeps share the work (each locks the cases it takes); a case another
    transaction holds is left for the next round or the next sweep.
    """
    now = now or clock.now()
    warned = breached = 0
    shared: _Shared | None = None  # read once, when something is due
    while ids := _due_case_ids(now, limit=2 * batch):
        # Candidates are read outside the transaction (an idle sweep takes no lock); what is
        # recorded is decided again under the cases' locks.
        with without_cyclic_gc(), clock.frozen_at(now), transaction.atomic():
            _commit_without_waiting_for_the_disk()
            cases = _lock_cases(ids, batch=batch, skip_locked=True)
            shared = shared or _Shared()
            done = _record_due(cases, now, shared) if cases else (0, 0)
        warned, breached = warned + done[0], breached + done[1]
        if not any(done):
            break
    return warned, breached


def more_due_than(count: int, *, now: dt.datetime | None = None) -> bool:
    """Whether more than `count` cases have a clock due (one bounded index scan): a sweep big
    enough for a second worker to share."""
    return len(_due_case_ids(now or clock.now(), limit=count + 1)) > count


def _commit_without_waiting_for_the_disk() -> None:
    """PostgreSQL: this transaction's commit does not wait for its WAL to reach the disk.
    Safe for the sweep alone: a crash can lose at most the last fraction of a second of
    committed batches, whose clocks then are still unmarked, so the next sweep records them
    again (exactly once, like any batch). It never makes the database inconsistent."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")


def record_clock_warning(clock_id: int, *, now: dt.datetime | None = None) -> bool:
    """Record that a clock reached its warning share. Idempotent: True only the first time.
    Everything it records is stamped `now` (a replayed or late sweep keeps its moment)."""
    return _record_one(clock_id, WARNING, now or clock.now())


def record_clock_breach(clock_id: int, *, now: dt.datetime | None = None) -> bool:
    """Record a breach and escalate the case one step along its chain (handler → supervisor
    → the site's first responsible person). Idempotent: True only the first time. Everything
    it records is stamped `now`."""
    return _record_one(clock_id, BREACH, now or clock.now())


def _record_one(clock_id: int, what: str, now: dt.datetime) -> bool:
    with clock.frozen_at(now), transaction.atomic():
        case_id = CaseClock.objects.filter(pk=clock_id).values_list("case_id", flat=True).first()
        if case_id is None:
            return False
        cases = _lock_cases([case_id], batch=1, skip_locked=False)
        return any(_record_due(cases, now, _Shared(), only_clock=clock_id, only=what))


def _due_case_ids(now: dt.datetime, *, limit: int) -> list[int]:
    """Cases with a clock due for a breach or a warning: two range scans of the partial
    indexes clock_breach_due and clock_warning_due, most overdue first."""
    running = CaseClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    ids = set(
        running.filter(breached_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("case_id", flat=True)[:limit]
    )
    ids.update(
        running.filter(warned_at__isnull=True, warn_at__lte=now)
        .order_by("warn_at")
        .values_list("case_id", flat=True)[:limit]
    )
    return sorted(ids)


def _lock_cases(ids: list[int], *, batch: int, skip_locked: bool) -> list[CaseRow]:
    """Lock up to `batch` of the cases, in id order (the case before its clocks, as every
    case action does); the columns the sweep reads or writes, as plain rows."""
    rows = (
        Case.objects.select_for_update(skip_locked=skip_locked, of=("self",))
        .filter(pk__in=id_list(ids))
        .order_by("pk")
        .values_list(*_CASE_COLUMNS)[:batch]
    )
    return [CaseRow(*row) for row in rows]


@dataclass(slots=True)
class CaseRow:
    """What the sweep reads and writes of a locked case (no model instance: thousands a
    sweep). The names are the model's attribute names, for update_rows()."""

    pk: int
    number: str
    priority: int
    status: str
    kind_id: int
    team_id: int | None
    site_id: int | None
    handler_id: int | None
    escalated_to_id: int | None
    escalation_level: int
    version: int
    updated_at: dt.datetime


_CASE_COLUMNS = [
    "pk",
    "number",
    "priority",
    "status",
    "kind_id",
    "team_id",
    "site_id",
    "handler_id",
    "escalated_to_id",
    "escalation_level",
    "version",
    "updated_at",
]


class _Due(NamedTuple):
    pk: int
    case_id: int
    metric: str
    due_at: dt.datetime
    warn_at: dt.datetime
    warned_at: dt.datetime | None
    breached_at: dt.datetime | None


# What the sweep reads of a person: the label it escalates to, whether they are notified
# (active) and when (their team's or site's calendar).
_PERSON_COLUMNS = ("id", "username", "display_name", "is_active", "team_id", "site_id")


class _People:
    """Who the cases of a sweep escalate to and notify: the handlers, the teams' supervisors,
    the sites' first responsible people. Teams and sites are read once a sweep; people once
    each, as the batches name them (one query per batch for those not seen before)."""

    def __init__(self) -> None:
        self.supervisors = dict(Team.objects.values_list("pk", "supervisor_id"))
        self.responsible = dict(Site.objects.values_list("pk", "first_responsible_id"))
        self.users: dict[int, User] = {}

    def read(self, cases: Iterable[CaseRow]) -> None:
        """Read the people `cases` may name that are not known yet."""
        named: set[int | None] = set()
        for c in cases:
            named.update((c.handler_id, c.escalated_to_id))
            named.add(self.supervisors.get(c.team_id) if c.team_id else None)
            named.add(self.responsible.get(c.site_id) if c.site_id else None)
        ids = {pk for pk in named if pk is not None and pk not in self.users}
        if ids:
            for user in User.objects.filter(pk__in=id_list(sorted(ids))).only(*_PERSON_COLUMNS):
                self.users[user.pk] = user

    def user(self, pk: int | None) -> User | None:
        return self.users.get(pk) if pk is not None else None

    def supervisor(self, case: CaseRow) -> User | None:
        return self.user(self.supervisors.get(case.team_id)) if case.team_id else None

    def first_responsible(self, case: CaseRow) -> User | None:
        return self.user(self.responsible.get(case.site_id)) if case.site_id else None


class _Shared:
    """What every batch of one sweep reads alike: calendars and their assignments, kinds,
    the escalation chains and the people on them."""

    def __init__(self) -> None:
        self.specs = SpecCache()
        self.calendars = CalendarAssignments()
        self.workflows = dict(CaseKind.objects.values_list("pk", "workflow"))
        self.people = _People()


def _record_due(
    cases: list[CaseRow],
    now: dt.datetime,
    shared: _Shared,
    *,
    only_clock: int | None = None,
    only: str = "",
) -> tuple[int, int]:
    """Record the due warnings and breaches of locked cases (or of one clock): events, one
    escalation step per escalating breach, notices, the clocks marked. (warned, breached)."""
    by_id = {c.pk: c for c in cases}
    due = Q()
    if only != WARNING:
        due |= Q(breached_at__isnull=True, due_at__lte=now)
    if only != BREACH:
        due |= Q(warned_at__isnull=True, warn_at__lte=now)
    clocks = CaseClock.objects.select_for_update(of=("self",)).filter(
        case_id__in=id_list(list(by_id)), stopped_at__isnull=True, paused_at__isnull=True
    )
    if only_clock is not None:
        clocks = clocks.filter(pk=only_clock)
    per_case: dict[int, list[_Due]] = defaultdict(list)
    for row in clocks.filter(due).order_by("pk").values_list(*_Due._fields):
        per_case[row[1]].append(_Due(*row))
    if not per_case:
        return 0, 0

    people = shared.people
    people.read(by_id[case_id] for case_id in per_case)
    events: list[tuple[int, str, Actor, dict[str, Any]]] = []
    notices = Notices(now, shared.specs, shared.calendars)
    escalated: dict[int, CaseRow] = {}
    breached: list[_Due] = []
    warned: list[_Due] = []
    system = Actor.system(SLA)
    for case_id, case_clocks in per_case.items():
        case = by_id[case_id]
        breaches = sorted(
            (
                c
                for c in case_clocks
                if only != WARNING and c.breached_at is None and c.due_at <= now
            ),
            key=lambda c: (c.due_at, c.pk),
        )
        warnings = sorted(
            (
                c
                for c in case_clocks
                if only != BREACH and c not in breaches and c.warned_at is None and c.warn_at <= now
            ),
            key=lambda c: (c.warn_at, c.pk),
        )
        for c in breaches:
            events.append((case_id, EventType.SLA_BREACHED, system, _clock_data(c)))
            if c.metric in ESCALATING_METRICS:
                step = _escalate(case, c.metric, people, shared.workflows)
                if step is not None:
                    events.append(step)
                    escalated[case_id] = case
            notices.add(
                [people.user(case.handler_id), people.user(case.escalated_to_id)],
                case,
                kind=BREACH_NOTICE,
                metric=c.metric,
            )
            breached.append(c)
        for c in warnings:
            events.append((case_id, EventType.SLA_WARNING, system, _clock_data(c)))
            notices.add(
                [people.user(case.handler_id) or people.supervisor(case)],
                case,
                kind=WARNING_NOTICE,
                metric=c.metric,
            )
            warned.append(c)

    record_events_by(events)
    update_rows(Case, list(escalated.values()), _ESCALATION_FIELDS)
    escalation.record_targets(
        [
            (c.pk, c.escalated_to_id, c.escalation_level)
            for c in escalated.values()
            if c.escalated_to_id is not None
        ]
    )
    _mark(breached, warned, now)
    notices.save()
    return len(warned), len(breached)


def _clock_data(c: _Due) -> dict[str, Any]:
    return {"metric": c.metric, "due_at": c.due_at}


def _escalate(
    case: CaseRow, metric: str, people: _People, workflows: dict[int, str]
) -> tuple[int, str, Actor, dict[str, Any]] | None:
    """One step up the chain (the team supervisor, then the site's first responsible person),
    as escalate_case does it, on the locked case in memory; the ESCALATED event row. None at
    the top of the chain, or where the workflow does not escalate from the case's status
    (the breach stays on the record either way)."""
    try:
        status = target_status(workflows.get(case.kind_id, ""), "escalate", case.status)
    except TransitionNotAllowed:
        return None
    chain = [people.supervisor(case), people.first_responsible(case)]
    step = escalation.next_step(chain, case.escalation_level, case.escalated_to_id)
    if step is None:
        return None
    level, target = step
    before = {
        "status": case.status,
        "escalation_level": case.escalation_level,
        "escalated_to": case.escalated_to_id,
    }
    case.escalation_level, case.escalated_to_id = level, target.pk
    case.version += 1
    case.updated_at = clock.now()
    data = {
        "escalated_to_name": target.label,
        "reason": f"{metric} overdue",
        "before": before,
        "after": {"status": status, "escalation_level": level, "escalated_to": target.pk},
    }
    return case.pk, EventType.ESCALATED, Actor.system(f"{SLA}:{metric}"), data


def _mark(breached: list[_Due], warned: list[_Due], now: dt.datetime) -> None:
    """Mark the clocks, one statement: a breach counts as warned too (no separate warning
    afterwards)."""
    ids = [c.pk for c in breached] + [c.pk for c in warned]
    if not ids:
        return
    CaseClock.objects.filter(pk__in=id_list(ids)).update(
        warned_at=Coalesce(F("warned_at"), Value(now)),
        breached_at=Case_(
            When(pk__in=id_list([c.pk for c in breached]), then=Value(now)),
            default=F("breached_at"),
        )
        if breached
        else F("breached_at"),
    )


# --- email delivery of notices ------------------------------------------------------------


def deliver_due_notifications(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Email every notification whose time has come, `batch` at a time (at-least-once: one
    short transaction per notice, the notice locked with SKIP LOCKED so that two workers
    never email it twice). Returns how many emails were sent."""
    now = now or clock.now()
    sent = 0
    while True:
        ids = list(
            CaseNotification.objects.filter(emailed_at__isnull=True, deliver_after__lte=now)
            .order_by("deliver_after")
            .values_list("id", flat=True)[:batch]
        )
        handled = 0
        for notification_id in ids:
            outcome = _deliver(notification_id, now)
            if outcome is not None:
                handled += 1
                sent += outcome
        if not handled:
            return sent


def _deliver(notification_id: int, now: dt.datetime) -> bool | None:
    """Email one notice; None when another worker has it or it is done already."""
    with transaction.atomic():
        note = (
            # Lock the notice only: its recipient is shared by many notices.
            CaseNotification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "case")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if note is None:
            return None
        emailed = bool(note.recipient.email)
        if emailed:
            with translation.override(note.recipient.language or settings.LANGUAGE_CODE):
                text = notification_text(note)
                send_mail(
                    subject=f"[Kefu] {note.case.number} {text}",
                    message=f"{text}\n\n{note.case.number} {note.case.subject}",
                    from_email=None,
                    recipient_list=[note.recipient.email],
                )
        note.emailed_at = now
        note.save(update_fields=["emailed_at"])
        return emailed


# --- recompute after the rules change -----------------------------------------------------


def stale_clock_case_ids(
    *, limit: int = 500, rules: RuleBook | None = None, after: int = 0
) -> list[int]:
    """Cases above `after` with running clocks computed on an older calendar or policy
    version (than now, or than `rules` were read): the first `limit` of them in id order,
    complete up to the last one returned, so the next batch starts after it (a walk through
    the cases in id order reads each running clock once, however many batches)."""
    running = CaseClock.objects.filter(stopped_at__isnull=True, case_id__gt=after)
    stale = [running.filter(older) for older in RuleVersions.of(rules).stale_clocks()]
    ids: set[int] = set()
    bound: int | None = None  # every stale case up to here is found
    for clocks in stale:
        if bound is not None:
            clocks = clocks.filter(case_id__lte=bound)
        found = list(
            clocks.order_by("case_id").values_list("case_id", flat=True).distinct()[:limit]
        )
        ids.update(found)
        if len(found) == limit:  # more above: this query is complete up to its last case
            bound = found[-1]
            ids = {pk for pk in ids if pk <= bound}
    return sorted(ids)[:limit]


def recompute_case_clocks(case_id: int, *, actor: Actor, reason: str) -> dict[str, Any]:
    """Re-apply the current rules to one case's running clocks (short transaction)."""
    with transaction.atomic():
        case = lock_case(case_id)
        moved = recompute_clocks(case)
        if moved:
            record_event(case, EventType.SLA_RECOMPUTED, actor=actor, reason=reason, clocks=moved)
        return moved


def recompute_clocks_of_cases(
    case_ids: Iterable[int], *, actor: Actor, reason: str, rules: RuleBook | None = None
) -> dict[int, dict[str, Any]]:
    """Re-apply the current rules (or `rules`) to the running clocks of many cases in one
    transaction, a few statements whatever their number: the cases locked in id order, then
    their clocks (the order of every case action), one bulk update, and an SLA-recomputed
    event, saying `reason`, on each case whose due times moved. Returns {case_id: moved}."""
    return _recompute_cases(case_ids, actor=actor, reason=reason, rules=rules)[1]


def _recompute_cases(
    case_ids: Iterable[int],
    *,
    actor: Actor,
    reason: str,
    rules: RuleBook | None,
    skip_locked: bool = False,
    limit: int | None = None,
    stale_only: bool = False,
) -> tuple[list[int], dict[int, dict[str, Any]]]:
    """recompute_clocks_of_cases(), optionally on the first `limit` cases no other
    transaction holds, and only those still stale once locked (another worker may have
    done one since it was found). Returns (the cases recomputed, {case_id: moved})."""
    ids = sorted(set(case_ids))
    if not ids:
        return [], {}
    with transaction.atomic():
        locked = list(
            Case.objects.select_for_update(skip_locked=skip_locked, of=("self",))
            .filter(pk__in=id_list(ids))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if stale_only and locked:
            locked = _still_stale(locked, RuleVersions.of(rules))
        moved = recompute_batch(locked, rules) if locked else {}
        record_events_by(
            [
                (case_id, EventType.SLA_RECOMPUTED, actor, {"reason": reason, "clocks": clocks})
                for case_id, clocks in moved.items()
            ]
        )
    return locked, moved


def _still_stale(case_ids: list[int], versions: RuleVersions) -> list[int]:
    """Those of the cases with running clocks computed on rules older than `versions`."""
    stale = set(
        CaseClock.objects.filter(
            reduce(or_, versions.stale_clocks(), Q(pk__in=[])),
            case_id__in=id_list(case_ids),
            stopped_at__isnull=True,
        ).values_list("case_id", flat=True)
    )
    return [pk for pk in case_ids if pk in stale]


class StaleBatch(NamedTuple):
    cases: list[int]  # recomputed by this batch, in id order
    last: int  # the walk through the cases goes on after this one (0: nothing was stale)


def recompute_stale_clocks(
    *, batch: int = 500, rules: RuleBook | None = None, after: int = 0
) -> StaleBatch:
    """The next batch of cases above `after` whose clocks were computed on older rules,
    recomputed in one short transaction (bulk update, events in one insert).

    Workers share a run: each batch takes the first `batch` of twice as many stale cases
    that no other transaction holds (SKIP LOCKED), so two workers walking the cases at once
    take turns instead of waiting for each other. A case held by someone else (another
    worker's batch, an agent's edit) is passed over; if it is still stale, the next run
    (every minute) takes it."""
    candidates = stale_clock_case_ids(limit=2 * batch, rules=rules, after=after)
    if not candidates:
        return StaleBatch([], 0)
    done, _moved = _recompute_cases(
        candidates,
        actor=Actor.system("sla:rules_changed"),
        reason="rules",
        rules=rules,
        skip_locked=True,
        limit=batch,
        stale_only=True,
    )
    # A full batch may have left free candidates after its last case; otherwise every
    # candidate was done or held by someone else.
    return StaleBatch(done, done[-1] if len(done) == batch else candidates[-1])


def more_stale_than(count: int) -> bool:
    """Whether more than `count` cases have clocks computed on older rules (bounded index
    scans): a recompute big enough for a second worker to share."""
    return len(stale_clock_case_ids(limit=count + 1)) > count


def recompute_all_stale_clocks(*, batch: int = 1000) -> int:
    """Every stale clock, batch after batch through the cases in id order, on the rules as
    they are when the run starts (read once: a change made during the run is for the next
    run). Several workers may run it at once and share the work. Returns how many cases
    this run recomputed."""
    rules = RuleBook()
    total = after = 0
    while (step := recompute_stale_clocks(batch=batch, rules=rules, after=after)).last:
        total, after = total + len(step.cases), step.last
    return total
