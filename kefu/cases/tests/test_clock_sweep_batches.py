"""The sweep in batches: the same record as one breach at a time, with a number of queries
that does not grow with the clocks due."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import EventType
from kefu.cases.models import Case, CaseClock, CaseEvent, CaseNotification
from kefu.core import clock
from tests.factories import Org, advance, make_case

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SH)


def test_two_breaches_of_one_case_escalate_two_steps_in_order(org: Org) -> None:
    # given a complaint opened Wednesday 10:00: assign due 11:00, first response due 12:00
    with clock.frozen_at(at(4, 10)):
        case = make_case(org)
    # when the first sweep after both comes at 12:05
    assert actions.sweep_clocks(now=at(4, 12, 5)) == (0, 2)
    # then each breach is followed by its own escalation step, in due order
    record = list(
        CaseEvent.objects.filter(case=case)
        .exclude(type=EventType.CREATED)
        .order_by("id")
        .values_list("type", "actor_source", "data")
    )
    assert [(t, source) for t, source, _ in record] == [
        (EventType.SLA_BREACHED, "sla"),
        (EventType.ESCALATED, "sla:assign"),
        (EventType.SLA_BREACHED, "sla"),
        (EventType.ESCALATED, "sla:first_response"),
    ]
    assert [d.get("metric") for _, _, d in record[::2]] == ["assign", "first_response"]
    first, second = record[1][2], record[3][2]
    assert first["before"] == {"status": "new", "escalation_level": 0, "escalated_to": None}
    assert first["after"] == {
        "status": "new",
        "escalation_level": 1,
        "escalated_to": org.supervisor.pk,
    }
    assert (first["reason"], first["escalated_to_name"]) == ("assign overdue", org.supervisor.label)
    assert second["after"]["escalated_to"] == org.site_manager.pk
    stored = Case.objects.get(pk=case.pk)
    assert (stored.escalation_level, stored.escalated_to_id) == (2, org.site_manager.pk)
    assert (stored.version, stored.updated_at) == (case.version + 2, at(4, 12, 5))
    # and each breach notified the people on the case at that moment
    notes = list(CaseNotification.objects.filter(case=case).order_by("id"))
    assert [(n.kind, n.recipient_id) for n in notes] == [
        ("sla_breach", org.supervisor.pk),
        ("sla_breach", org.site_manager.pk),
    ]
    # and nothing is recorded twice
    assert actions.sweep_clocks(now=at(4, 12, 6)) == (0, 0)


def test_a_sweep_larger_than_its_batch_takes_every_due_clock_once(org: Org) -> None:
    with clock.frozen_at(at(4, 10)):
        cases = [make_case(org, subject=f"投诉{i}") for i in range(5)]
    # 10:50: every assign clock is past its 80% warning (10:48), none is due
    assert actions.sweep_clocks(now=at(4, 10, 50), batch=2) == (5, 0)
    assert actions.sweep_clocks(now=at(4, 11, 1), batch=2) == (0, 5)
    for case in cases:
        types = list(CaseEvent.objects.filter(case=case).values_list("type", flat=True))
        assert types.count(EventType.SLA_WARNING) == 1
        assert types.count(EventType.SLA_BREACHED) == 1
        assert types.count(EventType.ESCALATED) == 1


def test_a_breach_where_the_workflow_cannot_escalate_is_still_recorded(org: Org) -> None:
    # given a resolved inquiry whose assign clock still runs (data from before resolving
    # stopped every handling clock)
    with clock.frozen_at(at(4, 10)):
        case = make_case(org, kind="inquiry")
        actions.accept_case(case.pk, actor=Actor.staff(org.agent))
        actions.resolve_case(case.pk, actor=Actor.staff(org.agent), resolution="已当场答复")
    CaseClock.objects.filter(case=case, metric="assign").update(stopped_at=None)
    # when the sweep finds the assign clock overdue
    _warned, breached = actions.sweep_clocks(now=at(5, 18))
    # then the breach is on the record, the resolved case is not escalated
    assert breached >= 1
    assert CaseEvent.objects.filter(case=case, type=EventType.SLA_BREACHED).exists()
    assert not CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).exists()
    assert Case.objects.get(pk=case.pk).escalation_level == 0


def test_the_queries_of_a_sweep_do_not_grow_with_the_clocks_due(org: Org) -> None:
    def queries_for(n: int, day: int) -> int:
        with clock.frozen_at(at(day, 10)):
            for i in range(n):
                make_case(org, subject=f"投诉{i}")
        with CaptureQueriesContext(connection) as captured:
            warned, breached = actions.sweep_clocks(now=at(day, 11, 1))
        assert (warned, breached) == (0, n)
        actions.sweep_clocks(now=at(31, 12))  # every later clock of these cases, out of the way
        return len(captured.captured_queries)

    queries_for(1, 2)  # rules and calendars read once per process, then reused for a while
    assert queries_for(2, 3) == queries_for(8, 4)


def test_one_clock_recorded_alone_leaves_the_case_s_other_clocks(org: Org) -> None:
    with clock.frozen_at(at(4, 10)):
        case = advance(org, make_case(org), "accepted")
    assign = CaseClock.objects.get(case=case, metric="assign")
    # at 12:05 both assign and first response are overdue; only the assign one is recorded
    assert actions.record_clock_breach(assign.pk, now=at(4, 12, 5)) is True
    assert actions.record_clock_breach(assign.pk, now=at(4, 12, 6)) is False
    assert actions.record_clock_warning(assign.pk, now=at(4, 12, 6)) is False
    assert list(
        CaseEvent.objects.filter(case=case, type=EventType.SLA_BREACHED).values_list(
            "data__metric", flat=True
        )
    ) == ["assign"]
    assert CaseClock.objects.get(pk=assign.pk).warned_at == at(4, 12, 5)


def test_a_team_without_supervisor_escalates_straight_to_the_first_responsible(
    org: Org,
) -> None:
    org.team.supervisor = None
    org.team.save()
    with clock.frozen_at(at(4, 10)):
        case = make_case(org)
    actions.sweep_clocks(now=at(4, 11, 1))
    stored = Case.objects.get(pk=case.pk)
    assert (stored.escalation_level, stored.escalated_to_id) == (2, org.site_manager.pk)
    # and the next breach has nowhere further to go: recorded, not escalated
    actions.sweep_clocks(now=at(4, 12, 1))
    assert CaseEvent.objects.filter(case=case, type=EventType.SLA_BREACHED).count() == 2
    assert CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).count() == 1
