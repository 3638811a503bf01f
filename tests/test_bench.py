"""`python -m bench` end to end at a tiny scale: SQLite in a temporary directory, a real
gunicorn for a handful of API creations, and the report written with every section.

Marked `bench` (about 30 s): `pytest -m "not bench"` leaves it out of a quick run.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kefu.core.text import index_tokens

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bench

SECTIONS = [
    "## Machine and workload",
    "## Summary",
    "## Agent queue, first page",
    "## Workspace queue page",
    "## Chinese full-text search",
    "## Case detail with 20 events",
    "## Raw SQL insert (the physical limit)",
    "## Case creation through the API",
    "## Time standards: sweep and recompute",
    "## Compared with django-helpdesk",
    "## Where Kefu falls short",
]


def run_bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """python -m bench on SQLite in tmp_path, 300 cases unless told otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEFU_", "DJANGO_"))}
    env |= {
        "KEFU_BENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "KEFU_DATA_DIR": str(tmp_path / "data"),
        "KEFU_BENCH_CASES": "300",
    }
    return subprocess.run(
        [sys.executable, "-m", "bench", "--no-progress", "--repeat", "5", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture(scope="module")
def bench_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    # Given an empty temporary directory and 300 cases on SQLite,
    # when the benchmark runs with 6 API creations per mode
    tmp_path = tmp_path_factory.mktemp("bench")
    done = run_bench(
        tmp_path, "--api-requests", "6", "--workers", "2", "--output", str(tmp_path / "b.md")
    )
    return tmp_path, done


def test_bench_generates_measures_and_writes_every_section(
    bench_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    tmp_path, done = bench_run

    # Then it succeeds and the report has every section
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    text = (tmp_path / "b.md").read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in text, heading
    assert "| Scale | 300 cases |" in text
    assert "| Cores | " in text and "| RAM | " in text and "SQLite" in text
    # every read figure is measured against its target; the API created cases without errors
    for label in (
        "first page, team filter",
        "team queue page",
        "recall vs substring scan",
        "rate, 8 clients",
    ):
        assert re.search(rf"\| {re.escape(label)} \|.*\| (✅ pass|❌ miss) \|", text), label
    assert re.search(r"\| failed requests \| 12 \|.*\| 0 \| ≤ 0 \| ✅ pass \|", text)
    assert re.search(r"\| recall vs substring scan \| 40 \|.*\| 1 \|", text)
    assert re.search(r"\| SQL statements per creation .*\| \d+ \|", text)
    # and the console shows each figure next to its target
    assert "(target p95 ≤ 30 ms)" in done.stdout

    # The generated workload: numbering continues after the generated cases
    db = sqlite3.connect(tmp_path / "bench.sqlite3")
    kinds = db.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    # generated, raw SQL, one counted in process, API warm-up, API
    assert kinds == 300 + 2 * 6 + 1 + 6 + 2 * 6
    duplicates = db.execute(
        "SELECT count(*) FROM (SELECT number FROM cases_case GROUP BY number HAVING count(*) > 1)"
    ).fetchone()[0]
    assert duplicates == 0
    last, numbers = db.execute(
        "SELECT s.last, (SELECT count(*) FROM cases_case c WHERE c.number LIKE s.prefix || '-' "
        "|| s.year || '-%') FROM cases_casenumbersequence s WHERE s.prefix = 'TS' "
        "ORDER BY s.year DESC LIMIT 1"
    ).fetchone()
    assert last == numbers
    # every case has its search document, indexed by the FTS5 triggers
    assert db.execute("SELECT count(*) FROM cases_search_fts").fetchone()[0] == kinds
    # and each generated document is what kefu.cases.search.index_case would have stored
    for case_id, number, subject, description, product, content in db.execute(
        "SELECT c.id, c.number, c.subject, c.description, c.product, d.content FROM cases_case c "
        "JOIN cases_casesearchdocument d ON d.case_id = c.id WHERE c.id <= 300"
    ).fetchall():
        bodies = [
            body
            for (body,) in db.execute(
                "SELECT body FROM cases_casemessage WHERE case_id = ? ORDER BY created_at, id",
                [case_id],
            )
        ]
        parts = [number, subject, description, product, *bodies]
        assert content == index_tokens("\n".join(p for p in parts if p)), number


def test_skip_generate_measures_the_existing_database(
    bench_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given the generated benchmark database
    tmp_path, first = bench_run
    assert first.returncode == 0, first.stderr[-4000:]

    # When it is measured again without generating
    again = run_bench(
        tmp_path, "--skip-generate", "--only", "queue", "--output", str(tmp_path / "again.md")
    )

    # Then the same cases are measured (300 generated, 31 created by the first run) and the
    # report says they were not regenerated
    assert again.returncode == 0, again.stderr[-4000:]
    text = (tmp_path / "again.md").read_text(encoding="utf-8")
    assert "| Scale | 331 cases |" in text
    assert "--skip-generate" in text
    assert "## Agent queue, first page" in text
    assert "## Chinese full-text search" not in text
