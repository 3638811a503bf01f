"""Writing many rows' fields in one statement per chunk (private helper of the case actions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def update_rows(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str], chunk: int = 500
) -> None:
    """Write `fields` of `objs` with one UPDATE … FROM (VALUES …) per chunk.

    Django's bulk_update builds a CASE per field and row, several times slower. SQLite ≥ 3.33
    and PostgreSQL both run this; PostgreSQL needs the VALUES columns cast to the columns'
    types (it reads untyped parameters as text).
    """
    if not objs:
        return
    postgres = connection.vendor == "postgresql"
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    columns = [meta.get_field(name) for name in fields]
    names = ["id", *(f.column for f in columns)]  # type: ignore[union-attr]
    types = [pk.db_type(connection), *(f.db_type(connection) for f in columns)]  # type: ignore[union-attr]

    def value(column: str, db_type: str | None) -> str:
        return f"CAST(v.{column} AS {db_type})" if postgres and db_type else f"v.{column}"

    table = meta.db_table
    assignments = ", ".join(
        f"{name} = {value(name, db_type)}"
        for name, db_type in zip(names[1:], types[1:], strict=True)
    )
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    for start in range(0, len(objs), chunk):
        rows = objs[start : start + chunk]
        params: list[Any] = []
        for obj in rows:
            params.append(obj.pk)
            for f in columns:
                params.append(
                    f.get_db_prep_value(getattr(obj, f.attname), connection)  # type: ignore[union-attr]
                )
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v({', '.join(names)}) AS (VALUES {', '.join([row_sql] * len(rows))}) "
                f"UPDATE {table} SET {assignments} FROM v "
                f"WHERE {table}.{pk.column} = {value('id', types[0])}",
                params,
            )
