"""Whom a case is escalated to is found through CaseEscalation, and an escalation changes no
indexed column of the case (so that the sweep's escalations are heap-only updates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from kefu.accounts.actors import Actor
from kefu.cases import actions, selectors
from kefu.cases.models import Case, CaseClock, CaseEscalation
from kefu.core.errors import NotFound
from tests.factories import Org, advance, make_case

ESCALATION_COLUMNS = {"escalated_to_id", "escalation_level", "version", "updated_at"}


def test_a_person_escalated_to_sees_the_case_outside_their_own_scope(org: Org) -> None:
    # The team's supervisor post is held by someone from another team and site.
    org.team.supervisor = org.other_supervisor
    org.team.save()
    case = advance(org, make_case(org), "in_progress")
    with pytest.raises(NotFound):
        selectors.get_case_for(org.other_supervisor, case.pk)

    actions.escalate_case(case.pk, actor=Actor.staff(org.agent), reason="客户情绪激动")

    assert selectors.get_case_for(org.other_supervisor, case.pk).pk == case.pk
    listed = selectors.list_cases_for(org.other_supervisor).values_list("pk", flat=True)
    assert case.pk in set(listed)
    target = CaseEscalation.objects.get(case=case)
    assert (target.escalated_to_id, target.level) == (org.other_supervisor.pk, 1)

    # Next step: the site's first responsible person; the former target loses sight of it.
    actions.escalate_case(case.pk, actor=Actor.staff(org.agent), reason="仍未解决")
    target.refresh_from_db()
    assert (target.escalated_to_id, target.level) == (org.site_manager.pk, 2)
    assert Case.objects.get(pk=case.pk).escalated_to_id == org.site_manager.pk
    with pytest.raises(NotFound):
        selectors.get_case_for(org.other_supervisor, case.pk)


def test_the_sweep_records_the_escalation_target(org: Org) -> None:
    case = make_case(org)
    assign = CaseClock.objects.get(case=case, metric="assign")

    actions.sweep_clocks(now=assign.due_at + dt.timedelta(minutes=1))

    assert CaseEscalation.objects.get(case=case).escalated_to_id == org.supervisor.pk
    assert Case.objects.get(pk=case.pk).escalated_to_id == org.supervisor.pk
    assert selectors.get_case_for(org.supervisor, case.pk).escalation_level == 1


def test_no_index_of_the_case_names_a_column_an_escalation_changes(db: None) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Case._meta.db_table)
    indexed = {
        name: set(info["columns"])
        for name, info in constraints.items()
        if info["index"] or info["unique"] or info["primary_key"]
    }
    touched = {name: cols & ESCALATION_COLUMNS for name, cols in indexed.items()}
    assert {name: cols for name, cols in touched.items() if cols} == {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [Case._meta.db_table]
            )
            definitions = " ".join(row[0] for row in cursor.fetchall())
        # partial-index predicates count too
        assert not any(column in definitions for column in ESCALATION_COLUMNS)
