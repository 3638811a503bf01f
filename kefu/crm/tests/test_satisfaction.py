"""Satisfaction measurements: validated, idempotent on (source, reference)."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.accounts.actors import Actor
from kefu.core.errors import NotFound, ValidationFailed
from kefu.crm.actions import record_satisfaction
from kefu.crm.models import SatisfactionRecord
from tests.factories import Org, make_customer

WHEN = dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC)


def test_record_satisfaction_is_idempotent(org: Org) -> None:
    customer = make_customer(org)
    kwargs = dict(
        actor=Actor.system("surveys"),
        customer_id=customer.pk,
        score=1,
        scale_max=5,
        source="survey",
        reference="answer:17",
        measured_at=WHEN,
    )
    record_satisfaction(**kwargs)  # type: ignore[arg-type]
    record_satisfaction(**kwargs)  # type: ignore[arg-type]
    record = SatisfactionRecord.objects.get()
    assert (record.normalised, record.source, record.reference) == (0.2, "survey", "answer:17")


@pytest.mark.parametrize(
    ("score", "scale_max", "source", "reference"),
    [
        (6, 5, "survey", "a"),
        (1, 0, "survey", "a"),
        (-1, 5, "survey", "a"),
        (1, 5, "", "a"),
        (1, 5, "survey", ""),
    ],
)
def test_invalid_measurements_are_refused(
    org: Org, score: float, scale_max: float, source: str, reference: str
) -> None:
    customer = make_customer(org)
    with pytest.raises(ValidationFailed):
        record_satisfaction(
            actor=Actor.system("surveys"),
            customer_id=customer.pk,
            score=score,
            scale_max=scale_max,
            source=source,
            reference=reference,
            measured_at=WHEN,
        )
    assert not SatisfactionRecord.objects.exists()


def test_unknown_customer(org: Org) -> None:
    with pytest.raises(NotFound):
        record_satisfaction(
            actor=Actor.system("surveys"),
            customer_id=999999,
            score=3,
            scale_max=5,
            source="survey",
            reference="x",
            measured_at=WHEN,
        )
