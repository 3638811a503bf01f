"""Writing and matching thousands of rows at once (the SLA sweep's record, imports, RFM grades).

On PostgreSQL: COPY, one streamed statement instead of an INSERT with thousands of
parameters (psycopg adapts each value by its Python type; JSON goes in as text), and lists
passed as one array literal (`= ANY(...)`), because psycopg's client-side binding quotes
every element of a list parameter one by one. Elsewhere (SQLite), Django's bulk_create and
plain `IN` lists."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL


class JsonText(str):
    """A JSON value already encoded (written as it is by append_rows and insert_rows)."""


def decoded(value: Any) -> Any:
    """A value for a model instance: JsonText back as Python data."""
    return json.loads(value) if type(value) is JsonText else value


def encode_json(value: Any, encoder: type[json.JSONEncoder] | None = None) -> str:
    """A JSON column's value as text (JsonText as it is)."""
    return value if type(value) is JsonText else json.dumps(value, cls=encoder)


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


def append_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert plain rows whose ids nobody needs (values in the order of `fields`, foreign
    keys as ids, JSON as Python data): COPY on PostgreSQL, elsewhere bulk_create."""
    if not rows:
        return
    columns: list[Any] = [model._meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        attnames = [f.attname for f in columns]
        model._default_manager.bulk_create(
            [model(**{a: decoded(v) for a, v in zip(attnames, row, strict=True)}) for row in rows],
            batch_size=2000,
        )
        return
    json_at = [i for i, f in enumerate(columns) if isinstance(f, models.JSONField)]
    if json_at:
        encoders = {i: columns[i].encoder for i in json_at}
        rows = [
            [encode_json(v, encoders[i]) if i in encoders else v for i, v in enumerate(row)]
            for row in rows
        ]
    copy_rows(model._meta.db_table, [str(f.column) for f in columns], rows)


def any_of(values: Sequence[Any], db_type: str) -> Any:
    """An `__in` value for many values: on PostgreSQL one array parameter
    (`IN (SELECT unnest(%s::text[]))`), elsewhere the list itself."""
    if connection.vendor == "postgresql" and len(values) > 20:
        return RawSQL(f"SELECT unnest(%s::{db_type}[])", [array_literal(list(values))])
    return list(values)


def array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal ('{1,NULL,"a \\"b\\""}') for a list of ints, floats,
    booleans, strings and aware datetimes. psycopg's client-side binding (Django's default)
    quotes every element of a list parameter with regular expressions; one string parameter
    is several times cheaper for thousands of rows."""
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    out = []
    stamps: dict[dt.datetime, str] = {}  # a batch's rows often share their moment
    for v in values:
        if v is None:
            out.append("NULL")
        elif isinstance(v, bool):
            out.append("t" if v else "f")
        elif isinstance(v, (int, float)):
            out.append(repr(v))
        elif isinstance(v, dt.datetime):
            text = stamps.get(v)
            if text is None:
                if v.tzinfo is None:
                    raise ValueError("naive datetime in a bulk write")
                text = stamps[v] = f'"{v.isoformat()}"'
            out.append(text)
        else:
            text = str(v).replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'"{text}"')
    return "{" + ",".join(out) + "}"
