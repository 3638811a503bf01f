"""The service record is append-only, and only the actions change a case's state."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from kefu.cases.models import CaseEvent, CaseMessage
from kefu.core.models import AppendOnlyError
from tests.factories import Org, advance, make_case

KEFU = Path(__file__).resolve().parents[2]
GUARDED_ATTRIBUTES = {"status", "handler", "handler_id"}
WRITE_PATH = KEFU / "cases" / "actions.py"


def test_events_cannot_be_changed_or_deleted_through_the_orm(org: Org) -> None:
    case = make_case(org)
    event = CaseEvent.objects.get(case=case)
    event.data = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(case=case).update(type="closed")
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.get(case=case).data["after"]["subject"] == case.subject


def test_the_database_refuses_updates_to_events_and_messages(org: Org) -> None:
    case = advance(org, make_case(org), "accepted")
    from kefu.accounts.actors import Actor
    from kefu.cases import actions

    actions.add_message(case.pk, actor=Actor.staff(org.agent), kind="note", body="原始记录")
    for table in (CaseEvent._meta.db_table, CaseMessage._meta.db_table):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET case_id = case_id")
    assert CaseMessage.objects.get(case=case).body == "原始记录"


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(KEFU.parent)}:{getattr(node, 'lineno', 0)}"


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for element in ast.walk(target):
                if isinstance(element, ast.Attribute) and element.attr in GUARDED_ATTRIBUTES:
                    found.append(f"{_where(path, node)} assigns .{element.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "bulk_update"}
        ):
            names = {kw.arg for kw in node.keywords} | {
                c.value for a in node.args for c in ast.walk(a) if isinstance(c, ast.Constant)
            }
            if names & GUARDED_ATTRIBUTES:
                found.append(f"{_where(path, node)} bulk-writes status/handler")
    return found


def test_only_the_case_actions_assign_status_or_handler() -> None:
    """One write path: a case's status and handler change in kefu/cases/actions.py only.

    Other apps' own actions modules may have a `status` of their own; tests, migrations and
    this rule are exempt.
    """
    offenders: list[str] = []
    for path in KEFU.rglob("*.py"):
        parts = set(path.relative_to(KEFU).parts)
        if path == WRITE_PATH or "migrations" in parts or "tests" in parts:
            continue
        if path.name == "actions.py":
            continue
        offenders += _violations(path)
    assert offenders == []


def test_the_rule_catches_a_bypass(tmp_path: Path) -> None:
    bad = KEFU / "cases" / "_rule_probe.py"
    bad.write_text(
        "def f(case):\n    case.status = 'closed'\n    Case.objects.update(handler=None)\n"
    )
    try:
        assert len(_violations(bad)) == 2
    finally:
        bad.unlink()
