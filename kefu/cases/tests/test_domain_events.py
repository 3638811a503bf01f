"""Other domains put their facts on the service record and hear about committed events."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import EventType
from kefu.cases.models import Case, CaseEvent
from kefu.cases.signals import case_event_committed
from kefu.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests.factories import Org, make_case


def test_a_domain_event_lands_on_the_record_without_making_the_case_stale(org: Org) -> None:
    case = make_case(org)
    version = case.version

    event = actions.record_domain_event(
        case.pk, EventType.EMAIL_SENT, actor=Actor.system("mailer"), message_id="<a@kefu>"
    )

    assert event.type == "email_sent"
    assert event.data == {"message_id": "<a@kefu>"}
    assert Case.objects.get(pk=case.pk).version == version


def test_only_the_domain_event_types_are_accepted(org: Org) -> None:
    case = make_case(org)
    with pytest.raises(ValidationFailed):
        actions.record_domain_event(case.pk, EventType.CLOSED, actor=Actor.system("x"))
    with pytest.raises(NotFound):
        actions.record_domain_event(0, EventType.LINKED, actor=Actor.system("x"))
    assert not CaseEvent.objects.filter(case=case, type="closed").exists()


def test_staff_who_cannot_see_the_case_cannot_write_on_it(org: Org) -> None:
    case = make_case(org)
    with pytest.raises(PermissionDenied):
        actions.record_domain_event(
            case.pk, EventType.ASSIST_OVERRIDE, actor=Actor.staff(org.other_agent)
        )
    assert not CaseEvent.objects.filter(case=case, type="assist_override").exists()


def test_listeners_hear_committed_events_and_never_rolled_back_ones(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[str] = []

    def listener(sender: object, event: CaseEvent, **kwargs: object) -> None:
        heard.append(event.type)

    case = make_case(org)
    case_event_committed.connect(listener, sender=CaseEvent)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                actions.escalate_case(case.pk, actor=Actor.staff(org.agent), reason="客户要求")
                raise RuntimeError("rolled back")
            assert heard == []
            actions.accept_case(case.pk, actor=Actor.staff(org.agent))
            assert heard == []  # not before the commit
        assert heard == ["accepted"]
    finally:
        case_event_committed.disconnect(listener, sender=CaseEvent)


def test_events_no_receiver_wants_are_not_published(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    from kefu.cases.events import record_events_by
    from kefu.cases.signals import is_wanted

    case = make_case(org)
    # The apps listen for what they react to (surveys: closed; assist: created, …), not for
    # the sweep's breaches: 20,000 of those in a sweep build no event objects at all.
    assert is_wanted(EventType.CLOSED) and is_wanted(EventType.CREATED)
    assert not is_wanted(EventType.SLA_BREACHED) and not is_wanted(EventType.ESCALATED)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        record_events_by(
            [(case.pk, EventType.SLA_BREACHED, Actor.system("sla"), {"metric": "assign"})] * 30
        )
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        record_events_by([(case.pk, EventType.CREATED, Actor.system("x"), {})])
    assert len(callbacks) == 1
