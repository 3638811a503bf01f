"""Query expressions the ORM does not have."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Expression, F, QuerySet

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class PkAmong(Expression):
    """The condition "the row's primary key is one of the values `subquery` selects".

    On PostgreSQL ``id = ANY(ARRAY(subquery))``: the subquery runs once (an init-plan) and
    its result is an index condition on the primary key, so several of these OR-ed together
    stay a BitmapOr of index scans. ``id IN (subquery)`` inside an OR would be a filter over
    every row of the table.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, subquery: QuerySet[Any]) -> None:
        super().__init__()
        self.subquery = subquery
        self.pk: Any = F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.pk]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.pk,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        pk_sql, pk_params = compiler.compile(self.pk)
        sub_sql, sub_params = self.subquery.query.sql_with_params()
        if connection.vendor == "postgresql":
            return f"{pk_sql} = ANY(ARRAY({sub_sql}))", (*pk_params, *sub_params)
        return f"{pk_sql} IN ({sub_sql})", (*pk_params, *sub_params)
