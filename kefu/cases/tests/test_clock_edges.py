"""Edges of the time-standard actions: repeated calls, targets without escalation, people
without email, batches that fill up, changes that move nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db.models import F

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import EventType
from kefu.cases.models import Case, CaseClock, CaseEvent, CaseNotification
from kefu.core import clock
from kefu.core.errors import NotFound, ValidationFailed
from kefu.sla.models import BusinessCalendar
from kefu.sla.policy_actions import TargetInput, save_policy
from tests.factories import Org, advance, make_case

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SH)


def test_a_warning_is_recorded_once_and_not_early(org: Org) -> None:
    with clock.frozen_at(at(4, 10)):
        case = make_case(org)
    assign = CaseClock.objects.get(case=case, metric="assign")
    assert actions.record_clock_warning(assign.pk, now=at(4, 10, 30)) is False
    assert actions.record_clock_warning(assign.pk, now=at(4, 10, 50)) is True
    assert actions.record_clock_warning(assign.pk, now=at(4, 10, 55)) is False
    assert CaseEvent.objects.filter(case=case, type=EventType.SLA_WARNING).count() == 1


def test_an_overdue_return_visit_notifies_but_does_not_escalate(org: Org) -> None:
    with clock.frozen_at(at(2, 10)):
        case = advance(org, make_case(org), "closed")
    actions.sweep_clocks(now=at(9, 10))
    visit = CaseClock.objects.get(case=case, metric="return_visit")
    assert visit.breached_at == at(9, 10)
    assert Case.objects.get(pk=case.pk).escalation_level == 0
    assert CaseNotification.objects.get(case=case, kind="sla_breach").recipient == org.agent


def test_people_without_email_are_notified_in_the_app_only(org: Org) -> None:
    org.agent.email = ""
    org.agent.save()
    with clock.frozen_at(at(2, 10)):
        advance(org, make_case(org), "closed")
    actions.sweep_clocks(now=at(9, 10))
    assert actions.deliver_due_notifications(now=at(9, 10)) == 0
    assert mail.outbox == []
    assert CaseNotification.objects.get().emailed_at == at(9, 10)


def test_a_full_batch_of_stale_cases_stops_at_its_limit(org: Org) -> None:
    with clock.frozen_at(at(4, 10)):
        make_case(org), make_case(org)
    BusinessCalendar.objects.update(version=F("version") + 1)
    assert len(actions.stale_clock_case_ids(limit=1)) == 1
    assert len(actions.stale_clock_case_ids(limit=5)) == 2


def test_a_tier_without_its_own_policy_moves_nothing(org: Org) -> None:
    with clock.frozen_at(at(4, 10)):
        case = make_case(org)
    moved = actions.change_customer_tier(
        case.customer_id, actor=Actor.staff(org.admin), tier="silver"
    )
    assert moved == 0
    assert not CaseEvent.objects.filter(case=case, type=EventType.SLA_RECOMPUTED).exists()
    with pytest.raises(NotFound):
        actions.change_customer_tier(999_999, actor=Actor.staff(org.admin), tier="vip")


def test_policy_input_is_checked(org: Org) -> None:
    admin = Actor.staff(org.admin)
    with pytest.raises(ValidationFailed) as error:
        save_policy(actor=admin, name="x", targets=[TargetInput("assign", 10, warn_share=1.5)])
    assert set(error.value.fields) == {"targets.0.warn_share"}
    with pytest.raises(ValidationFailed):
        save_policy(actor=admin, name=" ", targets=[TargetInput("assign", 10)])


def test_marking_notifications_read(org: Org) -> None:
    from kefu.core.errors import PermissionDenied

    with clock.frozen_at(at(4, 10)):
        first, second = make_case(org), make_case(org)
    actions.sweep_clocks(now=at(4, 10, 50))
    supervisor = Actor.staff(org.supervisor)
    one = CaseNotification.objects.get(case=first)
    assert actions.mark_notifications_read(actor=supervisor, ids=[one.pk]) == 1
    assert actions.mark_notifications_read(actor=Actor.staff(org.agent)) == 0
    assert actions.mark_notifications_read(actor=supervisor) == 1
    assert CaseNotification.objects.get(case=second).read_at is not None
    with pytest.raises(PermissionDenied):
        actions.mark_notifications_read(actor=Actor.system("x"))
