"""Every page and partial has a pinned number of queries, measured with at least 20 rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.sla.targets import clear_caches
from tests.factories import advance, make_case, make_customer

HTMX = {"HX-Request": "true"}
ROWS = 25


@pytest.fixture
def busy(org):
    """25 open cases of one customer in several kinds, states and hands; one with a long
    service record; 25 closed complaints of 25 other customers waiting for their return visit."""
    handlers = [org.agent, org.teammate, org.supervisor]
    customer = make_customer(org, name="李四")
    cases = []
    for i in range(ROWS):
        case = make_case(
            org, kind=["complaint", "inquiry", "repair_request"][i % 3], customer=customer
        )
        if i % 2:
            case = advance(org, case, "accepted")
            actions.assign_case(case.pk, actor=Actor.staff(org.agent), handler=handlers[i % 3])
        cases.append(case)
    for case in cases[1:ROWS:4]:
        actions.escalate_case(case.pk, actor=Actor.staff(org.agent))
    long = advance(org, cases[0], "in_progress")
    for i in range(ROWS):
        actions.add_message(
            long.pk,
            actor=Actor.staff(org.agent),
            kind=["outbound", "note", "inbound"][i % 3],
            body=f"第{i}条记录",
        )
    for i in range(ROWS):
        advance(org, make_case(org, customer=make_customer(org, name=f"回访客户{i}")), "closed")
    return {"long": long, "customer": customer}


PAGES = {
    # name: (role, url, headers, marker of one row, pinned number of queries)
    # Full pages include one query for the unread-notifications count in the top bar.
    "queue": ("agent", lambda b: "/queues/team/", {}, 'class="mono"><a href="/cases/', 18),
    "queue_partial": (
        "agent",
        lambda b: "/queues/team/",
        HTMX,
        'class="mono"><a href="/cases/',
        17,
    ),
    "queue_search": (
        "agent",
        lambda b: "/queues/team/?q=话费",
        {},
        'class="mono"><a href="/cases/',
        18,
    ),
    "queue_all": ("admin", lambda b: "/queues/all/", {}, 'class="mono"><a href="/cases/', 18),
    "queue_return_visits": (
        "agent",
        lambda b: "/queues/return_visits/",
        {},
        'class="mono"><a href="/cases/',
        18,
    ),
    # case: +5 for agent assist (analyses, service cycle, templates with the due date, articles).
    # + 1: the customer's value tier and entitlements (issue 5).
    "case": ("supervisor", lambda b: f"/cases/{b['long'].number}/", {}, 'class="tl-item', 23),
    "new_case": ("agent", lambda b: "/cases/new/", {}, "", 4),
    "sla_report": ("supervisor", lambda b: "/reports/sla/?group_by=handler", {}, "", 4),
    "customer_search": (
        "agent",
        lambda b: "/customers/search/?q=回访客户",
        HTMX,
        "data-customer=",
        3,
    ),
    "customer_pick": ("agent", lambda b: f"/customers/{b['customer'].pk}/pick/", HTMX, "", 3),
    # The customer 360 page: + tier, RFM, tier history, spend chart, consumption, needs,
    # churn, follow-up, consents, addresses, tags, the customer record (a constant, not per row).
    "customer": (
        "agent",
        lambda b: f"/customers/{b['customer'].pk}/",
        {},
        'class="mono"><a href',
        21,  # a person: no contacts to read
    ),
    "board": ("supervisor", lambda b: "/board/", {}, "data-case=", 7),
}


def test_query_counts_are_pinned(org, busy, as_user):
    """One data set for all pages (building it is the slow part); every page is reported."""
    measured, rows = {}, {}
    for page, (role, url_for, headers, marker, _pinned) in PAGES.items():
        client = as_user(getattr(org, role))
        # The SLA rules are cached for a few seconds; measure every page on a cold cache.
        clear_caches()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url_for(busy), headers=headers)
        assert response.status_code == 200, page
        measured[page] = len(queries.captured_queries)
        if marker:
            rows[page] = response.content.decode().count(marker) >= 20

    assert measured == {page: spec[-1] for page, spec in PAGES.items()}
    assert all(rows.values()), rows


def test_inline_customer_creation_partial_is_pinned(org, as_user):
    client = as_user(org.agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/customers/new/",
            {"newcustomer-name": "赵六", "newcustomer-phone": "13600001111"},
            headers=HTMX,
        )

    assert response.status_code == 200
    # session, user; savepoint, customer row, phone row, release
    assert len(queries.captured_queries) == 6
