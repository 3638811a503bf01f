"""Bulk writers for the generator: PostgreSQL COPY, or large executemany batches on SQLite.

Rows are plain tuples in the column order of `columns`. Datetimes are aware (UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any, Protocol

import psycopg
from django.db import connection, transaction

_SQLITE_BATCH = 5_000


class Sink(Protocol):
    def add(self, table: str, row: tuple[Any, ...]) -> None: ...

    def close(self) -> None: ...


def open_sink(columns: dict[str, Sequence[str]]) -> Sink:
    if connection.vendor == "postgresql":
        return CopySink(columns)
    return BatchSink(columns)


def _conninfo() -> dict[str, Any]:
    s = connection.settings_dict
    info = {
        "dbname": s["NAME"],
        "user": s["USER"] or None,
        "password": s["PASSWORD"] or None,
        "host": s["HOST"] or None,
        "port": s["PORT"] or None,
    }
    return {k: v for k, v in info.items() if v is not None}


def pg_connect(*, autocommit: bool = False) -> psycopg.Connection:
    """A raw psycopg connection to the benchmark database (outside Django's)."""
    return psycopg.connect(**_conninfo(), autocommit=autocommit)


class CopySink:
    """One connection and one open COPY per table, all streaming at once.

    Foreign-key triggers are off for these sessions (session_replication_role = replica):
    the generator produces consistent ids itself, and checking 8 million references one
    row at a time would triple the load time.
    """

    def __init__(self, columns: dict[str, Sequence[str]]) -> None:
        self._stack = ExitStack()
        self._copies: dict[str, Any] = {}
        self._conns: list[psycopg.Connection] = []
        for table, cols in columns.items():
            conn = self._stack.enter_context(pg_connect())
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
            self._conns.append(conn)
            cur = self._stack.enter_context(conn.cursor())
            sql = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
            self._copies[table] = self._stack.enter_context(cur.copy(sql))

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self._copies[table].write_row(row)

    def close(self) -> None:
        # Leaving the copy blocks ends each COPY; leaving the connections commits.
        self._stack.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, bool):
        return int(value)
    return value


class BatchSink:
    """executemany in large batches through Django's connection (SQLite)."""

    def __init__(self, columns: dict[str, Sequence[str]]) -> None:
        self._sql = {
            table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
            f"({', '.join(['%s'] * len(cols))})"
            for table, cols in columns.items()
        }
        self._rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in columns}

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        rows = self._rows[table]
        rows.append(tuple(_sqlite_value(v) for v in row))
        if len(rows) >= _SQLITE_BATCH:
            self.close()

    def close(self) -> None:
        # Every table at once, parents first (declaration order): SQLite checks the
        # foreign keys at commit.
        with transaction.atomic(), connection.cursor() as cur:
            for table, rows in self._rows.items():
                if rows:
                    cur.executemany(self._sql[table], rows)
                    rows.clear()
