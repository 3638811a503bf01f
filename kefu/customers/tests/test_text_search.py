"""The customer search an agent types into: by any part of a name, an email or a number, in
any case; on PostgreSQL through indexes, not by reading every customer."""

from __future__ import annotations

import pytest
from django.db import connection

from kefu.accounts.actors import Actor
from kefu.customers.selectors import customers_matching, search_customers
from kefu.customers.text_search import indexed_characters
from tests.factories import Org


def _names(org: Org, text: str) -> list[str]:
    return [c.name for c in search_customers(org.agent, text)]


@pytest.fixture
def customers(org: Org) -> None:
    from kefu.customers.actions import create_customer

    actor = Actor.staff(org.agent)
    create_customer(actor=actor, name="王秀英", phone="13812345678", email="Wang.XY@Example.com")
    create_customer(actor=actor, name="英秀", phone="13987654321")
    create_customer(actor=actor, name="Li Wei", email="liwei@qq.com")
    create_customer(actor=actor, name="Émile Zola", phone="010-87654321")


def test_any_part_of_a_chinese_name(org: Org, customers: None) -> None:
    assert _names(org, "秀英") == ["王秀英"]  # both characters, in that order
    assert _names(org, "秀") == ["王秀英", "英秀"]
    assert _names(org, "王秀英") == ["王秀英"]
    assert _names(org, "秀英王") == []


def test_latin_names_and_emails_in_any_case(org: Org, customers: None) -> None:
    assert _names(org, "li wei") == ["Li Wei"]
    assert _names(org, "LI") == ["Li Wei"]
    assert _names(org, "wang.xy@") == ["王秀英"]
    assert _names(org, "EXAMPLE.COM") == ["王秀英"]
    # Two letters are not looked for in addresses (every one holds "co" or "qq").
    assert _names(org, "qq") == []
    # A cased letter beyond ASCII: matched, without the character index (and in any case
    # on PostgreSQL; SQLite's LIKE folds only ASCII letters).
    assert _names(org, "Émile") == ["Émile Zola"]
    if connection.vendor == "postgresql":
        assert _names(org, "émile") == ["Émile Zola"]
    assert indexed_characters("Émile 秀") == ["e", "i", "l", "m", "秀"]


def test_digits_of_a_number_in_any_format(org: Org, customers: None) -> None:
    assert _names(org, "2345") == ["王秀英"]
    assert _names(org, "8765 4321") == ["Émile Zola", "英秀"]
    # Stored as +861087654321: the trunk 0 (or the international 00) as typed still matches.
    assert _names(org, "010-8765") == ["Émile Zola"]
    assert _names(org, "0086 1381") == ["王秀英"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("秀英", "customer_name_chars"),
        ("wang.xy@", "customer_email_text"),
        ("2345", "customer_phone_digits"),
    ],
)
def test_each_part_is_found_through_its_index(
    org: Org, customers: None, text: str, index: str
) -> None:
    """With scans of whole tables priced out, the plan uses each part's index: the search's
    SQL still matches the index's expression."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan TO off")
    plan = customers_matching(org.agent, text).explain()
    assert index in plan
    # ... and still finds the customer that way.
    assert [c.name for c in customers_matching(org.agent, text)] == ["王秀英"]
