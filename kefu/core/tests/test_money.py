"""Money as it is written: to the cent, thousands separated, whatever the database returned."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kefu.core.money import cents, money


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("13360.95"), "13,360.95"),
        (Decimal("4189.73000000000"), "4,189.73"),  # SQLite's SUM of decimals
        ("3494.24000000001", "3,494.24"),
        (0, "0.00"),
        (1234567.005, "1,234,567.01"),
        (Decimal("-99.5"), "-99.50"),
        ("abc", "abc"),
        (None, "None"),
    ],
)
def test_amounts_are_written_to_the_cent(value: object, written: str) -> None:
    assert money(value) == written


def test_cents_round_half_up() -> None:
    assert cents(Decimal("0.125")) == Decimal("0.13")
