"""No N+1: each read endpoint runs a fixed number of queries, whatever the page holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.sla.targets import clear_caches
from tests.factories import advance, make_case, make_customer

ROWS = 22  # more than a page of 20


def queries(call) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), response


@pytest.fixture
def busy(org):
    """22 cases with distinct customers, handlers and teams, and one case with a long history."""
    for i in range(ROWS):
        case = make_case(org, customer=make_customer(org, name=f"客户{i}"))
        if i % 2:
            advance(org, case, "assigned")
    long = advance(org, make_case(org), "in_progress")
    agent = Actor.staff(org.agent)
    for i in range(ROWS):
        actions.add_message(long.pk, actor=agent, kind="note", body=f"第{i}次跟进")
    return long


def test_the_case_list_runs_a_fixed_number_of_queries(org, api, busy):
    client = api(org.supervisor)

    small, _ = queries(lambda: client.get("/cases", {"page_size": 1}))
    count, response = queries(lambda: client.get("/cases", {"page_size": 20}))

    # token + count + page, whatever the page size
    assert len(response.json()["items"]) == 20
    assert count == small == 3


def test_a_search_runs_a_fixed_number_of_queries(org, api, busy):
    client = api(org.supervisor)
    count, response = queries(lambda: client.get("/cases", {"q": "跟进"}))

    assert response.json()["count"] == 1
    assert count == 3


def test_the_case_detail_runs_a_fixed_number_of_queries(org, api, busy):
    case = advance(org, make_case(org), "closed")
    client = api(org.supervisor)

    clear_caches()  # measure with the SLA rules cache cold
    count, response = queries(lambda: client.get(f"/cases/{case.pk}"))

    # token + case with its relations + return visits + running clocks + their calendar (2)
    assert response.json()["status"] == "closed"
    assert [t["metric"] for t in response.json()["timers"]] == ["return_visit"]
    assert count == 6


def test_the_timeline_runs_a_fixed_number_of_queries(org, api, busy):
    client = api(org.supervisor)
    count, response = queries(lambda: client.get(f"/cases/{busy.pk}/events"))

    # token + case + events with their actors
    assert response.json()["count"] > ROWS
    assert count == 3


def test_the_messages_run_a_fixed_number_of_queries(org, api, busy):
    client = api(org.supervisor)
    count, response = queries(lambda: client.get(f"/cases/{busy.pk}/messages"))

    # token + case + messages + attachments (+ their uploaders, when there are any)
    assert response.json()["count"] == ROWS
    assert count <= 5


def test_the_customer_list_runs_a_fixed_number_of_queries(org, api, busy):
    client = api(org.supervisor)

    small, _ = queries(lambda: client.get("/customers", {"page_size": 1}))
    count, response = queries(lambda: client.get("/customers", {"page_size": 20}))

    assert len(response.json()["items"]) == 20
    assert count == small == 3


def test_a_customers_cases_run_a_fixed_number_of_queries(org, api, busy):
    customer = make_customer(org)
    for _ in range(ROWS):
        make_case(org, customer=customer)

    client = api(org.supervisor)
    count, response = queries(
        lambda: client.get(f"/customers/{customer.pk}/cases", {"page_size": 20})
    )

    # token + customer + count + page
    assert len(response.json()["items"]) == 20
    assert count == 4
