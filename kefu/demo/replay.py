"""Replay case lives through the case actions, each step at its own moment.

A plan is made first (which story, which final kind and status, who handles it, which
detours), as a list of steps with the minutes between them. Only then is the creation time
chosen, so that the whole life fits before now; each step runs under `clock.frozen_at`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kefu.accounts.actors import Actor
from kefu.accounts.models import Team, User
from kefu.cases import actions
from kefu.cases.choices import CaseStatus
from kefu.core.errors import Conflict
from kefu.customers.models import Customer
from kefu.demo import content
from kefu.demo.content import Story
from kefu.demo.people import DemoOrg

KINDS = ("complaint", "inquiry", "repair_request", "suggestion", "praise")
STATUSES = tuple(CaseStatus.values)
KIND_WEIGHTS = (30, 35, 18, 9, 8)
STATUS_WEIGHTS = {
    "new": 2,
    "accepted": 2,
    "assigned": 3,
    "in_progress": 8,
    "awaiting_customer": 5,
    "resolved": 7,
    "closed": 73,
}
# How far back a case that stopped at this status may have been opened (days).
STATUS_AGE_DAYS = {
    "new": 1,
    "accepted": 2,
    "assigned": 3,
    "in_progress": 8,
    "awaiting_customer": 8,
    "resolved": 12,
    "closed": 90,
}
_PHONE_LIKE = ("phone", "walk_in", "on_site")
# Contacts per hour of the day, 08:00-21:00: a morning and an afternoon peak.
_HOUR_WEIGHTS = (3, 8, 10, 9, 6, 5, 8, 9, 8, 6, 4, 3, 3, 2)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _fill(text: str, values: dict[str, Any]) -> str:
    return text.format(**values)


@dataclass
class Step:
    minutes: float
    run: Callable[[], object]


@dataclass
class CasePlan:
    story: Story
    kind: str
    status: str
    customer: Customer
    team: Team
    channel: str
    values: dict[str, Any]
    opener: User
    handler: User
    steps: list[Step] = field(default_factory=list)
    case_id: int = 0


def _escalate_unless_at_top(case_id: int, *, actor: Actor, reason: str) -> None:
    # The time standards may already have escalated the case to the top of its chain.
    with contextlib.suppress(Conflict):
        actions.escalate_case(case_id, actor=actor, reason=reason)


class CaseReplayer:
    """Makes and runs case plans against one demo organisation."""

    def __init__(self, org: DemoOrg, rng: random.Random, now: dt.datetime) -> None:
        self.org, self.rng, self.now = org, rng, now
        self._actors: dict[int, Actor] = {}

    def actor(self, user: User) -> Actor:
        if user.pk not in self._actors:
            self._actors[user.pk] = Actor.staff(user)
        return self._actors[user.pk]

    # --- choosing ---------------------------------------------------------------------

    def random_target(self) -> tuple[str, str]:
        kind = self.rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        status = self.rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        return kind, status

    def _story(self, kind: str) -> tuple[Story, bool]:
        """A story for the final kind, and whether it starts as an inquiry."""
        if kind == "complaint" and self.rng.random() < 0.25:
            return self.rng.choice([s for s in content.STORIES if s.becomes_complaint]), True
        return self.rng.choice([s for s in content.STORIES if s.kind == kind]), False

    def _member(self, team_code: str, *, prefer: str = "") -> User:
        members = self.org.members(team_code)
        weights = [4 if u.username == prefer else 1 for u in members]
        return self.rng.choices(members, weights=weights)[0]

    # --- the plan ---------------------------------------------------------------------

    def plan(self, kind: str, status: str, customer: Customer) -> CasePlan:
        rng = self.rng
        story, changes_kind = self._story(kind)
        team_code = rng.choice(story.teams)
        team = self.org.teams[team_code]
        channel = _pick(rng, content.SITE_CHANNELS[team.site.kind])
        opener = self._member(team_code, prefer="agent")
        handler = self._member(team_code, prefer="agent")
        p = CasePlan(
            story=story,
            kind=kind,
            status=status,
            customer=customer,
            team=team,
            channel=channel,
            values=content.story_vars(rng),
            opener=opener,
            handler=handler,
        )
        self._plan_steps(p, changes_kind)
        return p

    def _plan_steps(self, p: CasePlan, changes_kind: bool) -> None:
        rng, story, order = self.rng, p.story, STATUSES.index(p.status)
        st = p.steps.append

        def case_id() -> int:
            return p.case_id

        def open_() -> None:
            c = actions.open_case(
                actor=self.actor(p.opener),
                kind=story.kind,
                channel=p.channel,
                subject=_fill(story.subject, p.values),
                description=_fill(story.request, p.values),
                customer=p.customer,
                priority=story.priority,
                product=story.product,
                tags=list(story.tags),
                team=p.team,
            )
            p.case_id = c.pk
            self._intake_message(p, c.pk)

        st(Step(0, open_))
        if order < STATUSES.index("accepted"):
            return
        st(
            Step(
                rng.uniform(0.5, 3) if p.channel in _PHONE_LIKE else rng.uniform(2, 15),
                lambda: actions.accept_case(case_id(), actor=self.actor(p.opener)),
            )
        )

        def change_kind(by: User) -> Step:
            # An inquiry that turns into a complaint while it is being handled.
            return Step(
                rng.uniform(5, 120),
                lambda: actions.change_case_kind(
                    case_id(),
                    actor=self.actor(by),
                    kind="complaint",
                    reason=rng.choice(content.KIND_CHANGE_REASONS),
                ),
            )

        if changes_kind and order < STATUSES.index("in_progress"):
            st(change_kind(p.opener))
        if order < STATUSES.index("assigned"):
            return
        supervisor = p.team.supervisor
        assigner = supervisor if supervisor and rng.random() < 0.5 else p.opener
        late = rng.random() < 0.1
        st(
            Step(
                rng.uniform(60, 300) if late else rng.uniform(3, 40),
                lambda: actions.assign_case(
                    case_id(), actor=self.actor(assigner), handler=p.handler
                ),
            )
        )
        complaint = p.kind == "complaint"
        escalations = 0
        if complaint:
            escalations = rng.choices((0, 1, 2), weights=(75, 18, 7))[0]
        elif rng.random() < 0.03:
            escalations = 1
        for _ in range(escalations):
            st(
                Step(
                    rng.uniform(10, 240),
                    lambda: _escalate_unless_at_top(
                        case_id(),
                        actor=self.actor(p.handler),
                        reason=rng.choice(content.ESCALATION_REASONS),
                    ),
                )
            )
        if order < STATUSES.index("in_progress"):
            return
        handler = self._plan_contact(p, case_id, p.handler)
        if changes_kind:
            st(change_kind(handler))
        transfer = story.transfer_to and story.transfer_to != p.team.code and rng.random() < 0.4
        if transfer:
            handler = self._plan_transfer(p, case_id, handler)
        for note in story.notes[: rng.randint(0, len(story.notes))]:
            st(
                Step(
                    rng.uniform(20, 300),
                    functools.partial(self._note, p, handler, note),
                )
            )
        if p.status == "in_progress":
            return
        waits = p.status == "awaiting_customer" or rng.random() < 0.25
        if waits:
            st(
                Step(
                    rng.uniform(30, 600),
                    lambda: actions.await_customer(
                        case_id(),
                        actor=self.actor(handler),
                        reason=rng.choice(content.AWAIT_REASONS),
                    ),
                )
            )
            if p.status == "awaiting_customer":
                return
            st(
                Step(
                    rng.uniform(60, 1800),
                    lambda: self._customer_message(
                        case_id(), p, rng.choice(story.customer_followups)
                    ),
                )
            )
        reopen = not complaint and p.status == "closed" and rng.random() < 0.05
        self._plan_resolve(p, case_id, handler)
        if p.status == "resolved":
            return
        self._plan_close(p, case_id, handler)
        if reopen:
            st(
                Step(
                    rng.uniform(600, 4000),
                    lambda: actions.reopen_case(
                        case_id(),
                        actor=self.actor(handler),
                        reason=rng.choice(content.REOPEN_REASONS),
                    ),
                )
            )
            self._plan_resolve(p, case_id, handler)
            self._plan_close(p, case_id, handler)
        if complaint:
            self._plan_return_visit(p, case_id, handler)

    def _plan_contact(self, p: CasePlan, case_id: Callable[[], int], handler: User) -> User:
        rng, st = self.rng, p.steps.append
        note = rng.choice(content.CONTACT_NOTES)
        # Written channels get a written answer; a call is logged for most phone contacts
        # (the rest keep only the note on the contacted event).
        written, logged = p.channel not in _PHONE_LIKE, rng.random() < 0.6

        def contact() -> None:
            actions.mark_contacted(case_id(), actor=self.actor(handler), note=note)
            reply = _fill(p.story.replies[0], p.values)
            if written:
                self._message(case_id(), handler, "outbound", reply)
            elif logged:
                self._message(case_id(), handler, "call", f"{note}{reply}", direction="outbound")

        st(Step(rng.uniform(5, 90) if p.kind == "complaint" else rng.uniform(10, 300), contact))
        return handler

    def _plan_transfer(self, p: CasePlan, case_id: Callable[[], int], handler: User) -> User:
        rng, st = self.rng, p.steps.append
        target = self.org.teams[p.story.transfer_to]
        new_handler = self._member(target.code, prefer="backoffice")
        st(
            Step(
                rng.uniform(20, 240),
                lambda: actions.transfer_case(
                    case_id(),
                    actor=self.actor(handler),
                    team=target,
                    reason=f"需{target.department.name}核实处理",
                ),
            )
        )
        assert target.supervisor is not None
        assigner = target.supervisor
        st(
            Step(
                rng.uniform(10, 120),
                lambda: actions.assign_case(
                    case_id(),
                    actor=self.actor(assigner),
                    handler=new_handler,
                    reason="转派后分配处理人",
                ),
            )
        )
        return self._plan_contact(p, case_id, new_handler)

    def _plan_resolve(self, p: CasePlan, case_id: Callable[[], int], handler: User) -> None:
        rng = self.rng
        stance = p.story.stance if p.kind == "complaint" else ""
        written, logged = p.channel not in _PHONE_LIKE, rng.random() < 0.35

        def resolve() -> None:
            final_reply = _fill(p.story.replies[-1], p.values)
            resolution = _fill(p.story.resolution, p.values)
            if written:
                self._message(case_id(), handler, "outbound", final_reply)
            elif logged:
                self._message(case_id(), handler, "call", final_reply, direction="outbound")
            actions.resolve_case(
                case_id(), actor=self.actor(handler), resolution=resolution, stance=stance
            )

        p.steps.append(Step(rng.uniform(60, 2880), resolve))

    def _plan_close(self, p: CasePlan, case_id: Callable[[], int], handler: User) -> None:
        rng, story = self.rng, p.story
        kwargs: dict[str, Any] = {}
        if p.kind == "complaint":
            responsible_person = None
            if story.work_quality:
                responsible_person = self._member("hall-front")
            kwargs = {
                "cause": story.cause,
                "root_cause": _fill(story.root_cause or story.resolution, p.values),
                "improvement_needed": story.improvement_needed,
                "responsible_person": responsible_person,
                "responsible_department": (
                    self.org.departments[story.responsible_department]
                    if story.responsible_department
                    else None
                ),
            }
        p.steps.append(
            Step(
                rng.uniform(30, 1440),
                lambda: actions.close_case(case_id(), actor=self.actor(handler), **kwargs),
            )
        )

    def _plan_return_visit(self, p: CasePlan, case_id: Callable[[], int], handler: User) -> None:
        """回访 within three days of closing; some are left due, a few make the case reopen."""
        rng = self.rng
        if rng.random() < 0.2:
            return  # still due (or overdue)
        visitor = handler if handler.role != "backoffice" else p.opener
        outcome = _pick(rng, content.RETURN_VISIT_OUTCOMES)
        if p.status == "closed" and outcome == "not_satisfied" and rng.random() < 0.5:
            outcome = "satisfied"
        note = rng.choice(content.VISIT_NOTES[outcome])
        p.steps.append(
            Step(
                rng.uniform(600, 4200),
                lambda: actions.record_return_visit(
                    case_id(), actor=self.actor(visitor), outcome=outcome, note=note
                ),
            )
        )
        if outcome == "not_satisfied":
            # The case is handled again and closed again, with a new return visit.
            self._plan_resolve(p, case_id, handler)
            self._plan_close(p, case_id, handler)
            if rng.random() < 0.6:
                p.steps.append(
                    Step(
                        rng.uniform(600, 4200),
                        lambda: actions.record_return_visit(
                            case_id(),
                            actor=self.actor(visitor),
                            outcome="satisfied",
                            note=content.VISIT_NOTES["satisfied"][0],
                        ),
                    )
                )

    # --- messages ---------------------------------------------------------------------

    def _message(self, case_id: int, user: User, kind: str, body: str, direction: str = "") -> None:
        extra: dict[str, Any] = {}
        if kind == "call":
            extra = {
                "call_direction": direction,
                "call_duration_seconds": self.rng.randint(45, 900),
            }
        actions.add_message(case_id, actor=self.actor(user), kind=kind, body=body, **extra)

    def _note(self, p: CasePlan, user: User, template: str) -> None:
        self._message(p.case_id, user, "note", _fill(template, p.values))

    def _customer_message(self, case_id: int, p: CasePlan, body: str) -> None:
        actions.add_message(case_id, actor=Actor.customer(p.customer.pk), kind="inbound", body=body)

    def _intake_message(self, p: CasePlan, case_id: int) -> None:
        request = _fill(p.story.request, p.values)
        if p.channel == "phone":
            self._message(case_id, p.opener, "call", f"来电反映：{request}", direction="inbound")
        elif p.channel == "walk_in":
            self._message(case_id, p.opener, "note", f"客户到厅反映：{request}")
        elif p.channel == "on_site":
            self._message(case_id, p.opener, "visit", f"现场反映：{request}")
        else:
            subject = _fill(p.story.subject, p.values)
            self._customer_message(case_id, p, f"您好，{subject}。{request}请尽快处理，谢谢。")

    # --- running ----------------------------------------------------------------------

    def opened_at(self, p: CasePlan) -> dt.datetime:
        """A creation time (office hours mostly) that leaves room for every step."""
        rng = self.rng
        span = dt.timedelta(minutes=sum(s.minutes for s in p.steps))
        latest = self.now - span - dt.timedelta(minutes=5)
        earliest = max(
            self.now - dt.timedelta(days=STATUS_AGE_DAYS[p.status]) - span,
            self.now - dt.timedelta(days=90),
        )
        earliest = min(earliest, latest)
        moment = (earliest + (latest - earliest) * rng.random()).replace(microsecond=0)
        # Customers call in office hours (local time), when there is room for it.
        office = timezone.localtime(moment).replace(
            hour=rng.choices(range(8, 22), weights=_HOUR_WEIGHTS)[0], minute=rng.randint(0, 59)
        )
        return office if earliest <= office <= latest else moment

    def timeline(self, p: CasePlan) -> list[tuple[dt.datetime, Step]]:
        """Every step with its moment, the first at the case's creation."""
        moment, timed = self.opened_at(p), []
        # Customers ask about last month's bill; texts are filled in when the steps run.
        p.values["month"] = (timezone.localtime(moment).month - 2) % 12 + 1
        for step in p.steps:
            moment += dt.timedelta(seconds=round(step.minutes * 60))
            timed.append((moment, step))
        return timed
