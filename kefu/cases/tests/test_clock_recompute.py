"""Due times follow the rules: calendar and policy changes recompute running clocks in
batches through the worker (recompute_stale_clocks)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import EventType
from kefu.cases.models import Case, CaseClock, CaseEvent
from kefu.cases.tasks import recompute_stale_clocks_task
from kefu.core import clock
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.customers.models import Customer
from kefu.sla.actions import ClosureInput, add_closure
from kefu.sla.models import BusinessCalendar
from kefu.sla.policies import SlaPolicy
from kefu.sla.policy_actions import TargetInput, assign_calendar, save_policy
from kefu.sla.selectors import ALWAYS_OPEN_CALENDAR, default_calendar, get_calendar
from tests.factories import Org, make_case

SH = ZoneInfo("Asia/Shanghai")


def due(case, metric: str = "assign") -> dt.datetime:
    return CaseClock.objects.get(case=case, metric=metric, stopped_at__isnull=True).due_at


def test_a_closure_added_to_the_calendar_moves_due_times(org: Org) -> None:
    # given a complaint opened Wednesday 2026-03-04 17:30 (assign due Thursday 09:30)
    with clock.frozen_at(dt.datetime(2026, 3, 4, 17, 30, tzinfo=SH)):
        case = make_case(org)
    assert due(case) == dt.datetime(2026, 3, 5, 9, 30, tzinfo=SH)
    # when the service hall closes all Thursday (e.g. a typhoon) and the worker runs
    add_closure(
        default_calendar(),
        ClosureInput(first_day=dt.date(2026, 3, 5), last_day=dt.date(2026, 3, 5), reason="台风"),
        actor=Actor.staff(org.admin),
    )
    assert actions.stale_clock_case_ids() == [case.pk]
    recompute_stale_clocks_task.call_local()
    # then the due time moves to Friday and the change is on the record
    assert due(case) == dt.datetime(2026, 3, 6, 9, 30, tzinfo=SH)
    event = CaseEvent.objects.get(case=case, type=EventType.SLA_RECOMPUTED)
    assert (event.actor_kind, event.data["reason"]) == ("system", "rules")
    assert actions.stale_clock_case_ids() == []


def test_a_policy_change_recomputes_every_running_clock(org: Org) -> None:
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        cases = [make_case(org) for _ in range(3)]
    policy = SlaPolicy.objects.get(kind_code="complaint", tier="", priority__isnull=True)
    save_policy(
        actor=Actor.staff(org.admin),
        policy=policy,
        name=policy.name,
        kind_code="complaint",
        targets=[TargetInput("assign", 120), TargetInput("resolution", 960)],
    )
    first = actions.recompute_stale_clocks(batch=2)
    second = actions.recompute_stale_clocks(batch=2, after=first.last)
    assert first.cases + second.cases == [c.pk for c in cases]
    assert actions.recompute_stale_clocks(batch=2) == ([], 0)
    for case in cases:
        assert due(case) == dt.datetime(2026, 3, 4, 12, 0, tzinfo=SH)
        # the first response target was removed: that clock keeps its old due time
        assert due(case, "first_response") == dt.datetime(2026, 3, 4, 12, 0, tzinfo=SH)


def test_a_team_moved_to_the_24x7_calendar(org: Org) -> None:
    with clock.frozen_at(dt.datetime(2026, 3, 6, 17, 30, tzinfo=SH)):  # Friday
        case = make_case(org)
    assert due(case) == dt.datetime(2026, 3, 9, 9, 30, tzinfo=SH)
    assign_calendar(
        actor=Actor.staff(org.admin), calendar=get_calendar(ALWAYS_OPEN_CALENDAR), team=org.team
    )
    actions.recompute_stale_clocks()
    assert due(case) == dt.datetime(2026, 3, 6, 18, 30, tzinfo=SH)


def test_only_administrators_change_the_rules(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        save_policy(actor=Actor.staff(org.supervisor), name="x", targets=[])
    with pytest.raises(ValidationFailed) as error:
        save_policy(
            actor=Actor.staff(org.admin),
            name="坏标准",
            targets=[TargetInput("assign", 0), TargetInput("assign", 10), TargetInput("x", 5)],
        )
    assert set(error.value.fields) == {"targets.0.minutes", "targets.1.metric", "targets.2.metric"}
    with pytest.raises(ValidationFailed):
        assign_calendar(actor=Actor.staff(org.admin), calendar=default_calendar())


def test_a_tier_upgrade_gives_open_complaints_the_stricter_standard(org: Org) -> None:
    # given a standard customer's open complaint (assign due in 1 business hour)
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        case = make_case(org)
        closed = make_case(org, customer=case.customer)
    from tests.factories import advance

    advance(org, closed, "resolved")
    assert due(case) == dt.datetime(2026, 3, 4, 11, 0, tzinfo=SH)
    # when a manager makes the customer VIP
    with pytest.raises(PermissionDenied):
        actions.change_customer_tier(case.customer_id, actor=Actor.staff(org.agent), tier="vip")
    moved = actions.change_customer_tier(
        case.customer_id, actor=Actor.staff(org.site_manager), tier="vip"
    )
    # then the open complaint counts on the VIP standard (30 business minutes)
    assert moved == 1
    assert due(case) == dt.datetime(2026, 3, 4, 10, 30, tzinfo=SH)
    event = CaseEvent.objects.get(case=case, type=EventType.SLA_RECOMPUTED)
    assert event.data["reason"] == "tier"
    assert not CaseEvent.objects.filter(case=closed, type=EventType.SLA_RECOMPUTED).exists()
    assert (
        actions.change_customer_tier(
            case.customer_id, actor=Actor.staff(org.site_manager), tier="vip"
        )
        == 0
    )
    with pytest.raises(ValidationFailed):
        actions.change_customer_tier(case.customer_id, actor=Actor.staff(org.admin), tier=" ")


def test_a_run_works_on_the_rules_it_started_with(org: Org) -> None:
    from kefu.sla.targets import RuleBook

    with clock.frozen_at(dt.datetime(2026, 3, 4, 17, 30, tzinfo=SH)):
        cases = [make_case(org) for _ in range(3)]
    # given a run that read the rules, then a closure added to the calendar meanwhile
    rules = RuleBook()
    add_closure(
        default_calendar(),
        ClosureInput(first_day=dt.date(2026, 3, 5), last_day=dt.date(2026, 3, 5), reason="台风"),
        actor=Actor.staff(org.admin),
    )
    # then the run finds nothing stale on its rules and ends (no endless loop)
    assert actions.recompute_stale_clocks(batch=2, rules=rules).cases == []
    # and the next run takes the change, every batch of it
    assert actions.recompute_all_stale_clocks(batch=2) == 3
    assert all(due(c) == dt.datetime(2026, 3, 6, 9, 30, tzinfo=SH) for c in cases)
    assert actions.stale_clock_case_ids() == []


def test_batches_walk_the_cases_in_order_and_miss_none(org: Org) -> None:
    # given four cases, two stale by their calendar and two by their policy, interleaved so
    # that a batch of two from each kind of staleness overlaps the next batch
    with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        c1, c2, c3, c4 = cases = [make_case(org) for _ in range(4)]
    CaseClock.objects.filter(case__in=[c1, c4]).update(calendar_version=0)
    CaseClock.objects.filter(case__in=[c2, c3]).update(policy_version=0)
    # when the stale cases are read in batches of two, each after the last one returned
    batches, after = [], 0
    while ids := actions.stale_clock_case_ids(limit=2, after=after):
        batches.append(ids)
        after = ids[-1]
    # then every stale case comes once, in id order, two at a time
    assert batches == [[c1.pk, c2.pk], [c3.pk, c4.pk]]
    # and a whole run recomputes all four, leaving nothing stale
    assert actions.recompute_all_stale_clocks(batch=2) == 4
    assert actions.stale_clock_case_ids() == []
    assert all(
        c.calendar_version > 0 and c.policy_version > 0
        for c in CaseClock.objects.filter(case__in=cases)
    )


def _recompute_queries(ids: list[int]) -> tuple[int, dict[int, dict]]:
    with CaptureQueriesContext(connection) as captured:
        moved = actions.recompute_clocks_of_cases(ids, actor=Actor.system("rfm"), reason="tier")
    return len(captured), moved


def test_many_cases_recomputed_in_bulk_each_moved_one_on_the_record(org: Org) -> None:
    """The bulk recompute (a grading run's tier moves) does for many cases what
    change_customer_tier does for one, in a number of statements that does not grow."""
    counts = {}
    for n in (20, 40):
        with clock.frozen_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
            vip = [make_case(org) for _ in range(n)]
            unchanged = make_case(org)
        Customer.objects.filter(pk__in=[c.customer_id for c in vip]).update(tier="vip")
        counts[n], moved = _recompute_queries([c.pk for c in [*vip, unchanged]])
        assert set(moved) == {c.pk for c in vip}
        for case in vip:
            assert due(case) == dt.datetime(2026, 3, 4, 10, 30, tzinfo=SH)
            event = CaseEvent.objects.get(case=case, type=EventType.SLA_RECOMPUTED)
            assert (event.data["reason"], event.actor_source) == ("tier", "rfm")
            assert "assign" in event.data["clocks"]
        assert not CaseEvent.objects.filter(case=unchanged, type=EventType.SLA_RECOMPUTED).exists()
        # Once more: nothing moves, nothing is recorded.
        assert _recompute_queries([c.pk for c in vip])[1] == {}
        assert CaseEvent.objects.filter(case__in=vip, type=EventType.SLA_RECOMPUTED).count() == n
    assert counts[40] == counts[20]
    assert actions.recompute_clocks_of_cases([], actor=Actor.system("rfm"), reason="tier") == {}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    by_calendar=st.sets(st.integers(0, 7)),
    by_policy=st.sets(st.integers(0, 7)),
    limit=st.integers(1, 4),
)
def test_the_walk_through_stale_cases_finds_each_once_whatever_the_batch(
    org: Org, by_calendar: set[int], by_policy: set[int], limit: int
) -> None:
    # given eight cases, some stale by their calendar, some by their policy, some by both
    cases = list(Case.objects.order_by("pk")) or [make_case(org) for _ in range(8)]
    CaseClock.objects.update(calendar_version=1, policy_version=1)
    BusinessCalendar.objects.update(version=1)
    SlaPolicy.objects.update(version=2)  # every clock current, then some made older:
    CaseClock.objects.update(policy_version=2)
    CaseClock.objects.filter(case__in=[cases[i] for i in by_calendar]).update(calendar_version=0)
    CaseClock.objects.filter(case__in=[cases[i] for i in by_policy]).update(policy_version=1)
    # when they are read batch after batch, each after the last case of the one before
    walked: list[int] = []
    after = 0
    while ids := actions.stale_clock_case_ids(limit=limit, after=after):
        assert len(ids) <= limit
        walked += ids
        after = ids[-1]
    # then every stale case comes exactly once, in id order
    assert walked == [cases[i].pk for i in sorted(by_calendar | by_policy)]
