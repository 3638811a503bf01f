"""PostgreSQL COPY for the few writes that append thousands of rows at once (the SLA sweep's
record, imports, RFM grades): one streamed statement instead of an INSERT with thousands of
parameters. psycopg adapts each value by its Python type (JSON goes in as text)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Append `rows` (values in the order of `columns`) to `table` with COPY FROM STDIN."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def next_ids(table: str, pk_column: str, count: int) -> list[int]:
    """`count` ids drawn from the table's own sequence (for rows about to be copied)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk_column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
