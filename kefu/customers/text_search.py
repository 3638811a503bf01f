"""What "customers matching a text" means, as one condition: the name contains the text,
or an email address does, or a phone number holds its digits.

On PostgreSQL each part is found through an index (migration 0012), so the search an agent
types into while a caller waits does not read every customer:
- names through a GIN index of their characters, `string_to_array(lower(name), NULL)`: a
  name holding every character of the text is a candidate, checked by `icontains`. Chinese
  names are two or three characters, shorter than the trigrams pg_trgm needs;
- emails and phone numbers through pg_trgm indexes, which serve `LIKE '%…%'` from three
  characters on (shorter text is not matched against them: any address holds "co").
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, Q, QuerySet

from kefu.customers.models import Customer, CustomerEmail, CustomerPhone
from kefu.customers.normalize import normalize_phone

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

SEARCH_INDEXES = ("customer_name_chars", "customer_phone_digits", "customer_email_text")

# pg_trgm finds a LIKE pattern through its index only from three characters on.
SHORTEST_INFIX = 3


class NameHasCharacters(Expression):
    """PostgreSQL: the name holds every one of `characters` (the index customer_name_chars;
    the exact match is checked apart)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, characters: list[str]) -> None:
        super().__init__()
        self.characters = characters
        self.name: Any = F("name")

    def get_source_expressions(self) -> list[Any]:
        return [self.name]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.name,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        name_sql, params = compiler.compile(self.name)
        return (
            f"string_to_array(lower({name_sql}), NULL) @> %s::text[]",
            (*params, self.characters),
        )


def indexed_characters(text: str) -> list[str]:
    """The characters of `text` the name index can look up: uncased ones (汉字, digits) and
    ASCII letters in lower case. Other cased letters are left to `icontains`, whose idea of
    case may differ from the database's lower()."""
    chars = {
        ch.lower() for ch in text if not ch.isspace() and (ch.isascii() or ch.lower() == ch.upper())
    }
    return sorted(chars)


def matching_condition(text: str) -> Q:
    """Customers whose name contains `text`, or one of whose emails does (from three
    characters), or one of whose phone numbers holds its digits (from three) or is it.

    The parts are one union of customer ids, not an OR: each part is found through its own
    index, and a part that matches most customers ("138") costs one hash or merge join, not
    a comparison with every id for every row."""
    name = Q(name__icontains=text)
    if connection.vendor == "postgresql" and (characters := indexed_characters(text)):
        name &= Q(NameHasCharacters(characters))
    others: list[QuerySet[Any]] = []
    if len(text) >= SHORTEST_INFIX:
        others.append(_owners(CustomerEmail, Q(address__icontains=text)))
    digits = "".join(ch for ch in text if ch.isdigit())
    parts = [d for d in sorted({digits, _without_prefix(digits)}) if len(d) >= SHORTEST_INFIX]
    if parts:
        phone = Q()
        for part in parts:
            phone |= Q(number__contains=part)
        with contextlib.suppress(ValueError):
            phone |= Q(number=normalize_phone(text))
        others.append(_owners(CustomerPhone, phone))
    if not others:
        return name
    named = Customer.objects.filter(name).values("pk")
    return Q(pk__in=named.union(*others))


def _without_prefix(digits: str) -> str:
    """The digits as a stored number (E.164, +861087654321) holds them, when they begin with
    the international prefix 00 or the trunk prefix 0 an agent types (0086 1381…,
    010-8765…)."""
    if digits.startswith("00"):
        return digits[2:]
    return digits.removeprefix("0")


def _owners(model: type[CustomerEmail] | type[CustomerPhone], condition: Q) -> QuerySet[Any]:
    return model.objects.filter(condition).values("customer_id")


def settle_search_indexes() -> None:
    """PostgreSQL, after many customers are written (an import): move the search indexes'
    pending entries into the indexes proper. GIN queues new entries in a pending list that
    every search reads through (up to 4 MB of it: tens of milliseconds) until a vacuum."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index in SEARCH_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
