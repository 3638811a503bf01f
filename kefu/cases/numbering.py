"""Human-readable case numbers per kind and year: TS-2026-000123."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from kefu.cases.models import CaseNumberSequence


def next_case_number(prefix: str, year: int) -> str:
    """Issue the next number; unique under concurrency (the counter row is updated in place).

    Must run inside the transaction that creates the case, so a rollback returns nothing
    to the sequence but also leaves no number used twice.
    """
    last = _increment(prefix, year)
    if last is None:
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(prefix=prefix, year=year, last=1)
            last = 1
        except IntegrityError:  # another transaction created the row first
            last = _increment(prefix, year)
    assert last is not None
    return f"{prefix}-{year}-{last:06d}"


def _increment(prefix: str, year: int) -> int | None:
    """One statement takes the row lock and reads the new value (RETURNING: SQLite ≥ 3.35,
    PostgreSQL)."""
    table = CaseNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE prefix = %s AND year = %s RETURNING last",
            [prefix, year],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])
