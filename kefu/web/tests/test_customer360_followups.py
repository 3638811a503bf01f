"""Customer 360 follow-ups: a need's source cases show only the numbers the viewer may see
(the others as a count), in one query for all needs; an organisation's contacts show the
first 50, decision chain first, and load the rest with HTMX."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.accounts.actors import Actor
from kefu.crm.actions import record_need
from kefu.customers.actions import add_contact, create_customer, set_decision_role
from kefu.customers.models import Customer, CustomerKind
from tests.factories import Org, make_case

HTMX = {"HX-Request": "true"}


def _page(client: Client, customer: Customer) -> str:
    response = client.get(reverse("web:customer", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _needs(page: str) -> str:
    """The needs table (the form below it has a case number as its placeholder)."""
    section = page[page.index('data-testid="needs"') :]
    return section[: section.index("</table>")]


def _need(org: Org, customer: Customer, title: str, case_ids: list[int]) -> None:
    record_need(
        actor=Actor.staff(org.admin),
        customer_id=customer.pk,
        category="service",
        title=title,
        importance=3,
        urgency=3,
        feasibility=3,
        days_to_fulfil=30,
        case_ids=case_ids,
    )


# --- a need's source cases ------------------------------------------------------------------


def test_another_teams_agent_sees_no_number_of_a_case_outside_their_scope(
    org: Org, as_user
) -> None:
    customer = create_customer(actor=Actor.staff(org.agent), name="张三", phone="13812341234")
    ours = make_case(org, customer=customer)  # the agent's team and site
    theirs = make_case(org, customer=customer, by=org.other_agent)  # the hotline's
    _need(org, customer, "希望续约优惠", [ours.pk, theirs.pk])

    other = _needs(_page(as_user(org.other_agent), customer))
    assert theirs.number in other and ours.number not in other
    assert "另有 1 个工单" in other

    manager = _needs(_page(as_user(org.site_manager), customer))  # the agent's site
    assert ours.number in manager and theirs.number not in manager

    admin = _needs(_page(as_user(org.admin), customer))
    assert ours.number in admin and theirs.number in admin and "另有" not in admin


def test_the_needs_cases_are_one_query_however_many_needs(org: Org, as_user) -> None:
    def customer_with(needs: int, name: str) -> Customer:
        customer = create_customer(actor=Actor.staff(org.agent), name=name)
        for i in range(needs):
            ours = make_case(org, customer=customer)
            theirs = make_case(org, customer=customer, by=org.other_agent)
            _need(org, customer, f"需求{i}", [ours.pk, theirs.pk])
        return customer

    small, big = customer_with(1, "小客户"), customer_with(25, "大客户")
    client = as_user(org.other_agent)
    _page(client, small)  # warm the per-process caches

    with CaptureQueriesContext(connection) as few:
        _page(client, small)
    with CaptureQueriesContext(connection) as many:
        page = _needs(_page(client, big))

    assert page.count("另有 1 个工单") == 25
    assert len(few.captured_queries) == len(many.captured_queries)


# --- an organisation's contacts -------------------------------------------------------------


@pytest.fixture
def company(org: Org) -> Customer:
    """An organisation with 57 contacts: 52 without a role (联系人00…51), then a decision
    maker named to sort last and a purchaser."""
    agent = Actor.staff(org.agent)
    company = create_customer(actor=agent, name="某某公司", kind=CustomerKind.ORGANISATION)
    for i in reversed(range(52)):
        add_contact(actor=agent, organisation_id=company.pk, name=f"联系人{i:02d}")
    for name, role in [("赵总", "decision_maker"), ("钱采购", "purchaser")]:
        contact = add_contact(actor=agent, organisation_id=company.pk, name=name)
        set_decision_role(actor=agent, contact_id=contact.pk, role_code=role)
    return company


def test_the_page_shows_the_first_50_contacts_decision_chain_first(
    org: Org, company, as_user
) -> None:
    page = _page(as_user(org.agent), company)

    chain = page[
        page.index('data-testid="decision-chain"') : page.index(
            "</table>", page.index('data-testid="decision-chain"')
        )
    ]
    assert chain.index("赵总") < chain.index("钱采购")
    others = page[
        page.index('data-testid="org-contacts"') : page.index(
            "</ul>", page.index('data-testid="org-contacts"')
        )
    ]
    assert others.count('data-testid="org-contact"') == 48
    assert "联系人00" in others and "联系人47" in others and "联系人48" not in others
    assert "还有 4 位联系人" in others


def test_more_contacts_load_with_htmx_until_none_remain(org: Org, company, as_user) -> None:
    client = as_user(org.agent)
    url = reverse("web:customer_contacts", args=[company.pk])

    rows = client.get(url, {"from": 50}, headers=HTMX).content.decode()

    assert "<html" not in rows
    assert rows.count('data-testid="org-contact"') == 4
    assert "联系人48" in rows and "联系人51" in rows and "联系人47" not in rows
    assert 'data-testid="contacts-more"' not in rows
    own_page = client.get(url, {"from": 50}).content.decode()
    assert "<html" in own_page and "联系人51" in own_page


def test_more_contacts_are_refused_outside_the_customers_scope(org: Org, company, as_user) -> None:
    url = reverse("web:customer_contacts", args=[company.pk])
    assert as_user(org.backoffice).get(url, headers=HTMX).status_code == 404
