"""Two people at once: one wins, the other gets a clear conflict, nothing is lost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.choices import EventType
from kefu.cases.models import Case, CaseEvent
from kefu.core.errors import TransitionNotAllowed
from tests.factories import make_case, make_customer, make_org

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call at the same moment in its own thread (own DB connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # the outcome under test
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_agents_accepting_at_once_one_wins_both_recorded() -> None:
    org = make_org()
    case = make_case(org)
    results = run_together(
        [
            lambda: actions.accept_case(case.pk, actor=Actor.staff(org.agent)),
            lambda: actions.accept_case(case.pk, actor=Actor.staff(org.teammate)),
        ]
    )
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert (len(winners), len(losers)) == (1, 1), results
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "accepted"
    assert stored.version == 2
    accepted = CaseEvent.objects.filter(case=case, type=EventType.ACCEPTED)
    refused = CaseEvent.objects.filter(case=case, type=EventType.ATTEMPT_REFUSED)
    assert accepted.count() == 1
    assert refused.count() == 1
    assert {accepted.get().actor_user_id, refused.get().actor_user_id} == {
        org.agent.pk,
        org.teammate.pk,
    }
    assert stored.accepted_by_id == accepted.get().actor_user_id


def test_concurrent_creation_never_repeats_a_number() -> None:
    org = make_org()
    customer = make_customer(org)

    def create() -> Case:
        return actions.open_case(
            actor=Actor.staff(org.agent),
            kind="complaint",
            channel="phone",
            subject="并发创建",
            customer=customer,
        )

    results = run_together([create for _ in range(6)])
    assert all(isinstance(r, Case) for r in results), results
    numbers = sorted(r.number for r in results)
    assert len(set(numbers)) == 6
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3, 4, 5, 6]
