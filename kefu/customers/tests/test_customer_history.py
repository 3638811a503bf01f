"""customer_record: a customer's events newest first, paged on without gaps or repeats, also
when many share one moment (a nightly run writes its events with one timestamp)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.actors import Actor
from kefu.customers.actions import create_customer, record_customer_events
from kefu.customers.selectors import customer_record
from tests.factories import Org


def test_pages_cover_every_event_once_also_when_they_share_a_moment(org: Org) -> None:
    customer = create_customer(actor=Actor.staff(org.agent), name="张三")
    other = create_customer(actor=Actor.staff(org.agent), name="李四")
    rows = [(customer.pk, {"n": i}) for i in range(120)] + [(other.pk, {"n": -1})]
    record_customer_events("churn_warning_closed", rows, actor=Actor.system("churn"))

    seen, before, pages = [], None, 0
    while True:
        with CaptureQueriesContext(connection) as queries:
            events, more = customer_record(customer.pk, before_id=before)
        assert len(queries.captured_queries) == 1
        seen += [e.data["n"] for e in events]
        pages += 1
        if not more:
            break
        before = events[-1].pk

    assert pages == 3
    assert seen == list(range(119, -1, -1))


def test_a_cursor_of_another_customer_pages_nothing(org: Org) -> None:
    customer = create_customer(actor=Actor.staff(org.agent), name="张三")
    other = create_customer(actor=Actor.staff(org.agent), name="李四")
    record_customer_events(
        "follow_up_done", [(customer.pk, {}), (other.pk, {})], actor=Actor.system("t")
    )
    foreign = customer_record(other.pk)[0][0].pk

    assert customer_record(customer.pk, before_id=foreign) == ([], False)
