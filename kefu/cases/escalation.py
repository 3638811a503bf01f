"""The escalation chain (逐级上报): the team's supervisor, then the site's first responsible
person. One rule for the escalate step and for the SLA sweep's escalations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F
from django.db.models.sql.compiler import SQLCompiler

from kefu.accounts.models import User
from kefu.cases.models import CaseEscalation
from kefu.core.bulk import array_literal


def next_step(
    chain: Sequence[User | None], level: int, escalated_to_id: int | None
) -> tuple[int, User] | None:
    """The next (level, person) above `level` on `chain`, skipping empty posts and the person
    the case is already escalated to; None at the top."""
    for step in range(level + 1, len(chain) + 1):
        target = chain[step - 1]
        if target is not None and target.pk != escalated_to_id:
            return step, target
    return None


def record_targets(rows: Sequence[tuple[int, int, int]]) -> None:
    """Store whom each case is now escalated to: (case id, person id, level) rows, one
    statement (the index behind "cases escalated to me"; see CaseEscalation)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        CaseEscalation.objects.bulk_create(
            [CaseEscalation(case_id=c, escalated_to_id=u, level=lv) for c, u, lv in rows],
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=["escalated_to", "level"],
        )
        return
    cases, people, levels = zip(*rows, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CaseEscalation._meta.db_table} (case_id, escalated_to_id, level) "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) "
            "ON CONFLICT (case_id) DO UPDATE "
            "SET escalated_to_id = EXCLUDED.escalated_to_id, level = EXCLUDED.level",
            [array_literal(cases), array_literal(people), array_literal(levels)],
        )


class EscalatedTo(Expression):
    """The condition "the case is escalated to this person", for the visibility OR. On
    PostgreSQL ``id = ANY(ARRAY(subquery))``: an init-plan whose result is an index condition
    on the case's primary key, so the OR stays a BitmapOr of index scans (``IN (subquery)``
    inside an OR would be a filter over every candidate row)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, user_id: int) -> None:
        super().__init__()
        self.user_id = user_id
        self.case_pk: Any = F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.case_pk]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.case_pk,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        pk_sql, params = compiler.compile(self.case_pk)
        table = connection.ops.quote_name(CaseEscalation._meta.db_table)
        targets = f"SELECT case_id FROM {table} WHERE escalated_to_id = %s"
        if connection.vendor == "postgresql":
            return f"{pk_sql} = ANY(ARRAY({targets}))", (*params, self.user_id)
        return f"{pk_sql} IN ({targets})", (*params, self.user_id)
