"""The customer search an agent types into while a caller waits (the new case page): part
of a name, of a phone number, of an email address, over every customer of the database."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial

from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.customers.models import Customer, CustomerEmail, CustomerPhone
from kefu.customers.selectors import search_customers

from .measure import Context, count_queries, measurement, timed
from .results import Figure, Section

SAMPLE = 2_000  # customers whose name, number and address parts are searched for


@measurement("customer_search", "Customers: search as an agent types", order=97)
def customer_search(ctx: Context) -> Section:
    agent = User.objects.filter(role=Role.AGENT).order_by("pk").first()
    assert agent is not None, "the bench organisation has agents"
    rng = random.Random(11)
    total = Customer.objects.count()
    names = _sample(Customer.objects.values_list("name", flat=True))
    numbers = _sample(CustomerPhone.objects.values_list("number", flat=True))
    addresses = _sample(CustomerEmail.objects.values_list("address", flat=True))
    texts: dict[str, Callable[[], str]] = {
        "a whole name (张伟)": lambda: rng.choice(names),
        "a surname (张)": lambda: rng.choice(names)[0],
        "the last two characters of a name": lambda: rng.choice(names)[-2:],
        "a whole phone number (the caller's)": lambda: rng.choice(numbers),
        "the last four digits of a number (尾号)": lambda: rng.choice(numbers)[-4:],
        "seven digits from the middle of a number": lambda: rng.choice(numbers)[-9:-2],
        "the first six characters of an email address": lambda: rng.choice(addresses)[:6],
    }
    figures = []
    for label, make_text in texts.items():
        if "email" in label and not addresses:
            continue
        asked = [make_text() for _ in range(ctx.repeat)]
        list(search_customers(agent, asked[0]))  # warm
        samples = [timed(partial(_search, agent, text)) for text in asked]
        figures.append(Figure.of_samples(label, samples))
    queries = count_queries(lambda: list(search_customers(agent, names[0])))
    figures.append(Figure.single("SQL queries per search", queries))
    return Section(
        "customer_search",
        "Customers: search as an agent types",
        about=(
            f"`search_customers` (the new case page's customer search: the first 20 by name) "
            f"as an agent, over all {total:,} customers of the database, for parts of the "
            f"names, phone numbers and email addresses of {SAMPLE:,} random customers. On "
            "PostgreSQL names are found through a GIN index of their characters and numbers "
            "and addresses through pg_trgm indexes (`kefu.customers.text_search`)."
        ),
        figures=figures,
    )


def _search(agent: User, text: str) -> None:
    list(search_customers(agent, text))


def _sample(values: object) -> list[str]:
    return list(values.order_by("?")[:SAMPLE])  # type: ignore[attr-defined]
