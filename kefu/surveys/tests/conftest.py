from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail  # noqa: F401 - the locmem outbox the tests read

from kefu.accounts.actors import Actor
from kefu.customers.actions import record_consent
from kefu.customers.models import Customer
from kefu.surveys.shipped import ensure_shipped
from tests.factories import Org, make_customer


@pytest.fixture(autouse=True)
def _tasks_inline() -> Iterator[None]:
    """Run huey tasks inline also when the suite runs on Redis (the triggers enqueue)."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved


@pytest.fixture
def shipped(db: None) -> None:
    ensure_shipped()


def consenting_customer(org: Org, name: str = "张三", *, consent: bool = True) -> Customer:
    customer = make_customer(org, name)
    if consent:
        record_consent(
            actor=Actor.staff(org.agent),
            customer_id=customer.pk,
            purpose="survey",
            granted=True,
            method="phone",
        )
    return customer
