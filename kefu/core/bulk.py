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
    if all(type(v) is str for v in values):
        joined = '","'.join(values)
        if "\\" not in joined and '"' not in joined:  # nothing to escape: one join in C
            return '{"' + joined + '"}'
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


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    fields = [model._meta.get_field(name) for name in names]
    assert all(isinstance(f, models.Field) for f in fields)
    return fields  # type: ignore[return-value]


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None
    return field.column


def _db_type(field: models.Field[Any, Any]) -> str:
    db_type = field.db_type(connection)
    assert db_type is not None
    return db_type


def update_rows(
    model: type[models.Model], objs: Sequence[Any], fields: Sequence[str], chunk: int = 500
) -> None:
    """Write `fields` of `objs` with one UPDATE … FROM per chunk.

    Django's bulk_update builds a CASE per field and row, several times slower. PostgreSQL
    reads the rows from one typed array per column (unnest); SQLite ≥ 3.33 from VALUES.
    """
    if not objs:
        return
    postgres = connection.vendor == "postgresql"
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    columns = _fields(model, fields)
    names = ["id", *(_column(f) for f in columns)]
    types = [_db_type(pk), *(_db_type(f) for f in columns)]

    table = meta.db_table
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    if postgres:
        # One array parameter per column: psycopg splits a query per placeholder, and
        # thousands of them cost more than the update itself.
        arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
        sql = (
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}) "
            f"WHERE {table}.{pk.column} = v.id"
        )
        chunk = max(chunk, 5000)
    else:
        row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    for start in range(0, len(objs), chunk):
        rows = objs[start : start + chunk]
        values = [[obj.pk for obj in rows]]
        for f in columns:
            raw = [getattr(obj, f.attname) for obj in rows]
            # psycopg adapts ints, floats, booleans and aware datetimes itself; SQLite needs
            # Django's preparation (datetimes as text).
            values.append(raw if postgres else [f.get_db_prep_value(v, connection) for v in raw])
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute(sql, [array_literal(v) for v in values])
            else:
                cursor.execute(
                    f"WITH v({', '.join(names)}) AS "
                    f"(VALUES {', '.join([row_sql] * len(rows))}) "
                    f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk.column} = v.id",
                    [value for row in zip(*values, strict=True) for value in row],
                )


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert plain rows (values in the order of `fields`, foreign keys as ids, JSON as
    Python data) and return their ids, in order.

    On PostgreSQL one INSERT … SELECT FROM unnest(arrays) with no model instances built:
    for thousands of rows, Django's bulk_create spends more time preparing each value of
    each instance than the database spends inserting them. Elsewhere, bulk_create.
    """
    if not rows:
        return []
    meta = model._meta
    columns = _fields(model, fields)
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create(
            model(**{f.attname: decoded(v) for f, v in zip(columns, row, strict=True)})
            for row in rows
        )
        return [obj.pk for obj in objs]
    arrays: list[list[Any]] = []
    for i, f in enumerate(columns):
        values = [row[i] for row in rows]
        if isinstance(f, models.JSONField):
            values = [encode_json(v, f.encoder) for v in values]
        arrays.append(values)
    types = ", ".join(f"%s::{_db_type(f)}[]" for f in columns)
    names = ", ".join(_column(f) for f in columns)
    assert meta.pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({names}) SELECT * FROM unnest({types}) "
            f"RETURNING {_column(meta.pk)}",
            [array_literal(v) for v in arrays],
        )
        return [row[0] for row in cursor.fetchall()]


def id_list(ids: Sequence[int]) -> Any:
    """A `pk__in` value: on PostgreSQL one array parameter (`IN (SELECT unnest(…))`) instead
    of a placeholder per id, which psycopg's client-side binding splits and quotes one by one;
    elsewhere the list itself."""
    if connection.vendor == "postgresql" and len(ids) > 20:
        return RawSQL("SELECT unnest(%s::bigint[])", [array_literal(list(ids))])
    return list(ids)
