"""Amounts of money as a service centre writes them: ¥ figures to the cent, thousands
separated (13,360.95), whatever the database handed back (SQLite's sums of decimals carry
float noise: 4189.73000000000)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Any) -> str:
    """13,360.95; a value that is not a number comes back as it is."""
    try:
        return f"{cents(Decimal(str(value))):,}"
    except (ArithmeticError, ValueError):
        return str(value)
