"""The bulk writes of the time-standard jobs: values survive the trip through one array
parameter per column, and rows land where they belong."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from kefu.cases.models import CaseClock
from kefu.core.bulk import array_literal
from tests.factories import Org, make_case

TEXTS = ['引号"和\\反斜杠', "", "NULL", "{花括号,逗号}", "it's", "emoji 😀", None]
PLAIN = ["", "NULL", "{花括号,逗号}", "it's", "emoji 😀", "O000000001", " 空格 "]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL array literals")
@pytest.mark.django_db
def test_array_literals_round_trip_on_postgresql() -> None:
    moment = dt.datetime(2026, 3, 4, 2, 0, 30, 123456, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::text[])", [array_literal(TEXTS)])
        assert [r[0] for r in cursor.fetchall()] == TEXTS
        # Strings only, nothing to escape (one join), and with a quote or a backslash.
        for texts in (PLAIN, [*PLAIN, '引号"'], [*PLAIN, "a\\b"], [""]):
            cursor.execute("SELECT unnest(%s::text[])", [array_literal(texts)])
            assert [r[0] for r in cursor.fetchall()] == texts
        cursor.execute(
            "SELECT unnest(%s::bigint[]), unnest(%s::timestamptz[]), unnest(%s::boolean[]), "
            "unnest(%s::double precision[])",
            [
                array_literal([1, None]),
                array_literal([moment, None]),
                array_literal([True, False]),
                array_literal([0.8, 1.0]),
            ],
        )
        assert cursor.fetchall() == [(1, moment, True, 0.8), (None, None, False, 1.0)]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        array_literal([dt.datetime(2026, 3, 4, 10, 0)])


def test_update_rows_writes_each_row_its_own_values(org: Org) -> None:
    from kefu.core.bulk import update_rows

    clocks = list(CaseClock.objects.filter(case__in=[make_case(org), make_case(org)]))
    for i, c in enumerate(clocks):
        c.target_seconds = 1000 + i
        c.due_at = dt.datetime(2026, 3, 4, 10, i, tzinfo=dt.UTC)
    update_rows(CaseClock, clocks, ["target_seconds", "due_at"], chunk=2)
    stored = {c.pk: (c.target_seconds, c.due_at) for c in CaseClock.objects.all()}
    assert stored == {c.pk: (c.target_seconds, c.due_at) for c in clocks}
