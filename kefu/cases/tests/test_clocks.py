"""Time standards on cases, against the shipped mainland calendar (Mon–Fri 09:00–12:00 and
13:30–18:00, statutory holidays and 调休 from chinese-calendar) and the shipped policies."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import EventType
from kefu.cases.models import Case, CaseClock, CaseEvent, CaseNotification
from kefu.core import clock
from kefu.customers.models import Customer
from tests.factories import Org, advance, make_case

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def running(case: Case, metric: str) -> CaseClock:
    return CaseClock.objects.get(case=case, metric=metric, stopped_at__isnull=True)


def test_a_complaint_gets_its_time_standards_in_business_time(org: Org) -> None:
    # given a complaint opened on Wednesday 2026-03-04 at 10:00
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org)
    # then: assign within 1 business hour, first response 2, resolution 16
    assert running(case, "assign").due_at == at(2026, 3, 4, 11, 0)
    assert running(case, "assign").warn_at == at(2026, 3, 4, 10, 48)
    assert running(case, "first_response").due_at == at(2026, 3, 4, 12, 0)
    # Wed 10–12, 13:30–18 (6.5h) + Thu 9–12, 13:30–18 (7.5h) + Fri 9:00–11:00
    assert running(case, "resolution").due_at == at(2026, 3, 6, 11, 0)
    created = CaseEvent.objects.get(case=case, type=EventType.CREATED)
    assert dt.datetime.fromisoformat(created.data["due"]["assign"]) == at(2026, 3, 4, 11, 0)


def test_due_times_skip_lunch_evening_and_holidays(org: Org) -> None:
    # Tuesday 2025-09-30 17:50, the eve of the National Day holiday (Oct 1–8, 2025)
    with clock.frozen_at(at(2025, 9, 30, 17, 50)):
        case = make_case(org)
    # 10 minutes left on the 30th, then the next working day is Thursday 2025-10-09
    assert running(case, "assign").due_at == at(2025, 10, 9, 9, 50)


def test_waiting_on_the_customer_over_a_weekend_and_a_tiaoxiu_sunday(org: Org) -> None:
    # given a complaint whose resolution clock starts Thursday 2025-09-25 10:00
    with clock.frozen_at(at(2025, 9, 25, 10, 0)):
        case = make_case(org)
    # without a pause it would be due on the 调休 working Sunday 2025-09-28 at 11:00
    assert running(case, "resolution").due_at == at(2025, 9, 28, 11, 0)
    with clock.frozen_at(at(2025, 9, 25, 10, 5)):
        advance(org, case, "in_progress")
    # when it waits on the customer from Friday 17:00 to Monday 09:30
    with clock.frozen_at(at(2025, 9, 26, 17, 0)):
        actions.await_customer(case.pk, actor=Actor.staff(org.agent))
    assert running(case, "resolution").paused_at == at(2025, 9, 26, 17, 0)
    with clock.frozen_at(at(2025, 9, 29, 9, 30)):
        actions.add_message(
            case.pk, actor=Actor.customer(case.customer_id), kind="inbound", body="照片已补充"
        )
    # then the paused business time (Fri 1h + the 调休 Sunday 7.5h + Mon 0.5h = 9h) is added:
    # 25 business hours from Thu 10:00 ends Monday 2025-09-29 at 14:00
    resolution = running(case, "resolution")
    assert (resolution.paused_at, resolution.paused_seconds) == (None, 9 * 3600)
    assert resolution.due_at == at(2025, 9, 29, 14, 0)


def test_clocks_stop_as_the_work_is_done(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org)
    with clock.frozen_at(at(2026, 3, 4, 10, 20)):
        advance(org, case, "assigned")
    assert CaseClock.objects.get(case=case, metric="assign").stopped_at == at(2026, 3, 4, 10, 20)
    with clock.frozen_at(at(2026, 3, 4, 10, 30)):
        actions.add_message(case.pk, actor=Actor.staff(org.agent), kind="outbound", body="您好")
    assert CaseClock.objects.get(case=case, metric="first_response").stopped_at is not None
    with clock.frozen_at(at(2026, 3, 4, 15, 0)):
        closed = advance(org, Case.objects.get(pk=case.pk), "closed")
    assert CaseClock.objects.get(case=case, metric="resolution").stopped_at is not None
    visit = running(case, "return_visit")
    assert not visit.business_time
    assert closed.closed_at is not None
    assert visit.due_at == closed.closed_at + dt.timedelta(days=3)
    assert closed.return_visits.get().due_at == visit.due_at
    actions.record_return_visit(case.pk, actor=Actor.staff(org.agent), outcome="satisfied")
    assert not CaseClock.objects.filter(case=case, stopped_at__isnull=True).exists()


def test_priority_change_recomputes_due_times(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 6, 17, 30)):  # Friday evening
        case = make_case(org)
        assert running(case, "assign").due_at == at(2026, 3, 9, 9, 30)
        actions.edit_case(case.pk, actor=Actor.staff(org.agent), version=1, priority=4)
    # urgent complaints count around the clock: 30 minutes
    assert running(case, "assign").due_at == at(2026, 3, 6, 18, 0)
    event = CaseEvent.objects.get(case=case, type=EventType.SLA_RECOMPUTED)
    assert dt.datetime.fromisoformat(event.data["clocks"]["assign"]["after"]) == at(2026, 3, 6, 18)


def test_vip_customers_get_the_stricter_standard(org: Org) -> None:
    case = make_case(org)
    Customer.objects.filter(pk=case.customer_id).update(tier="vip")
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        vip_case = make_case(org, customer=Customer.objects.get(pk=case.customer_id))
    assert running(vip_case, "assign").due_at == at(2026, 3, 4, 10, 30)


def test_an_inquiry_resolved_at_once_owes_no_assignment_and_never_breaches(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org, kind="inquiry")
        actions.accept_case(case.pk, actor=Actor.staff(org.agent))
    with clock.frozen_at(at(2026, 3, 4, 10, 5)):
        actions.resolve_case(case.pk, actor=Actor.staff(org.agent), resolution="当场答复")

    assert not CaseClock.objects.filter(case=case, stopped_at__isnull=True).exists()
    assert actions.sweep_clocks(now=at(2026, 3, 6, 10, 0)) == (0, 0)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.escalation_level, stored.escalated_to) == (0, None)


def test_an_inquiry_follows_the_general_standard(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org, kind="inquiry")
    assert running(case, "assign").due_at == at(2026, 3, 4, 15, 30)
    assert not CaseClock.objects.filter(case=case, metric="return_visit").exists()


def test_warning_then_breach_escalates_once_along_the_chain(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org)
    assert actions.sweep_clocks(now=at(2026, 3, 4, 10, 40)) == (0, 0)
    assert actions.sweep_clocks(now=at(2026, 3, 4, 10, 50)) == (1, 0)
    with clock.frozen_at(at(2026, 3, 4, 11, 1)):
        assert actions.sweep_clocks() == (0, 1)  # assign breaches (due 11:00)
        assert actions.sweep_clocks() == (0, 0)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.escalation_level, stored.escalated_to) == (1, org.supervisor)
    types = list(CaseEvent.objects.filter(case=case).values_list("type", flat=True))
    assert types.count(EventType.SLA_WARNING) == 1
    assert types.count(EventType.SLA_BREACHED) == 1
    escalated = CaseEvent.objects.get(case=case, type=EventType.ESCALATED)
    assert (escalated.actor_kind, escalated.actor_source) == ("system", "sla:assign")
    # the next breach (first response, due 12:00) goes to the site's first responsible person
    actions.sweep_clocks(now=at(2026, 3, 4, 12, 1))
    stored.refresh_from_db()
    assert (stored.escalation_level, stored.escalated_to) == (2, org.site_manager)


def test_notifications_wait_for_working_hours_unless_critical(org: Org) -> None:
    org.supervisor.email = "wang@example.cn"
    org.supervisor.save()
    with clock.frozen_at(at(2026, 3, 6, 17, 0)):  # Friday; assign due at 18:00 sharp
        routine = make_case(org)
    with clock.frozen_at(at(2026, 3, 6, 18, 5)):  # after hours
        actions.sweep_clocks()
    note = CaseNotification.objects.get(case=routine, kind="sla_breach")
    assert note.recipient == org.supervisor
    assert note.deliver_after == at(2026, 3, 9, 9, 0)
    assert actions.deliver_due_notifications(now=at(2026, 3, 7, 10, 0)) == 0
    assert mail.outbox == []
    assert actions.deliver_due_notifications(now=at(2026, 3, 9, 9, 1)) == 1
    assert mail.outbox[0].to == ["wang@example.cn"]
    assert routine.number in mail.outbox[0].subject
    assert actions.deliver_due_notifications(now=at(2026, 3, 9, 9, 2)) == 0


def test_critical_cases_notify_at_once(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 7, 22, 0)):  # Saturday night
        case = make_case(org)
        actions.edit_case(case.pk, actor=Actor.staff(org.agent), version=1, priority=4)
    actions.sweep_clocks(now=at(2026, 3, 7, 22, 25))
    note = CaseNotification.objects.get(case=case, kind="sla_warning")
    assert note.deliver_after == at(2026, 3, 7, 22, 25)


def test_a_sweep_that_dies_before_commit_loses_nothing(org: Org) -> None:
    from django.db import transaction

    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org)
    assign = running(case, "assign")

    class WorkerKilled(Exception):
        pass

    with pytest.raises(WorkerKilled), transaction.atomic():
        actions.record_clock_breach(assign.pk, now=at(2026, 3, 4, 11, 5))
        raise WorkerKilled
    assert CaseClock.objects.get(pk=assign.pk).breached_at is None
    actions.sweep_clocks(now=at(2026, 3, 4, 11, 5))
    assert CaseEvent.objects.filter(case=case, type=EventType.SLA_BREACHED).count() == 1
    assert Case.objects.get(pk=case.pk).escalation_level == 1


def test_paused_and_stopped_clocks_are_not_swept(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org)
        advance(org, case, "awaiting_customer")
    assert actions.sweep_clocks(now=at(2026, 3, 20, 10, 0)) == (0, 0)
    assert actions.record_clock_breach(999_999) is False


def test_a_late_sweep_stamps_its_records_with_its_own_moment(org: Org) -> None:
    with clock.frozen_at(at(2026, 3, 4, 10, 0)):
        case = make_case(org)
    actions.sweep_clocks(now=at(2026, 3, 4, 11, 2))
    breach = CaseEvent.objects.get(case=case, type=EventType.SLA_BREACHED)
    escalation = CaseEvent.objects.get(case=case, type=EventType.ESCALATED)
    assert breach.at == escalation.at == at(2026, 3, 4, 11, 2)
    assert CaseNotification.objects.get(case=case).created_at == at(2026, 3, 4, 11, 2)


def test_every_update_to_the_customer_restarts_the_next_update_clock(org: Org) -> None:
    # given a complaint contacted on Wednesday 2026-03-04 at 10:00 (next update: 8 business h)
    with clock.frozen_at(at(2026, 3, 4, 9, 30)):
        case = advance(org, make_case(org), "in_progress")
    first = running(case, "next_update")
    # 09:30 + 8 business hours: 09:30–12:00, 13:30–18:00 (7 h), then Thursday 09:00–10:00
    assert first.due_at == at(2026, 3, 5, 10, 0)
    # when the handler calls the customer at 15:00
    with clock.frozen_at(at(2026, 3, 4, 15, 0)):
        actions.add_message(
            case.pk,
            actor=Actor.staff(org.agent),
            kind="call",
            body="告知处理进度",
            call_direction="outbound",
            call_duration_seconds=90,
        )
    # then the next update is owed 8 business hours from the call: Wed 15:00–18:00 (3 h),
    # Thu 09:00–12:00 (3 h), 13:30–15:30
    assert running(case, "next_update").due_at == at(2026, 3, 5, 15, 30)
    assert CaseClock.objects.get(pk=first.pk).stopped_at == at(2026, 3, 4, 15, 0)
    # waiting on the customer pauses it; resolving stops it
    with clock.frozen_at(at(2026, 3, 4, 16, 0)):
        actions.await_customer(case.pk, actor=Actor.staff(org.agent))
    assert running(case, "next_update").paused_at == at(2026, 3, 4, 16, 0)
    with clock.frozen_at(at(2026, 3, 5, 9, 0)):
        actions.resume_case(case.pk, actor=Actor.staff(org.agent))
        actions.resolve_case(
            case.pk, actor=Actor.staff(org.agent), resolution="已退费", stance="ours"
        )
    assert not CaseClock.objects.filter(
        case=case, metric="next_update", stopped_at__isnull=True
    ).exists()
