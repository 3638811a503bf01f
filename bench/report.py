"""docs/benchmarks.md: the machine, the workload, each figure next to its target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .machine import Machine
from .results import Figure, Section, _fmt

PEER = "django-helpdesk"
# Measured on this kind of machine with 100k tickets on SQLite (see the issue).
PEER_FIGURES = {
    "api": "~35–65 tickets/s",
    "search": "0.6–1.3 s per keyword",
    "detail": "9 s per ticket page",
}


@dataclass
class Run:
    started: dt.datetime
    machine: Machine
    database: str
    cases: int
    customers: int | None = None
    events: int | None = None
    messages: int | None = None
    generation_seconds: float | None = None
    load_at_end: str = ""


def _result(f: Figure) -> str:
    return {True: "✅ pass", False: "❌ miss", None: ""}[f.passed]


def _target(f: Figure) -> str:
    return f.target.describe(f.unit) if f.target else ""


def _cell(x: float | None, unit: str = "") -> str:
    return "" if x is None else f"{_fmt(x)} {unit}".strip()


def _workload(run: Run) -> list[str]:
    lines = [
        "| | |",
        "|---|---|",
        f"| CPU | {run.machine.cpu} |",
        f"| Cores | {run.machine.cores} |",
        f"| RAM | {run.machine.ram_gib:.1f} GiB |",
        f"| OS, Python | {run.machine.os}, Python {run.machine.python} |",
        f"| Database | {run.machine.database}, `{run.database}` |",
        f"| Load average (1, 5, 15 min) at start; at end | {run.machine.load}; "
        f"{run.load_at_end or '–'} |",
        f"| Date | {run.started:%Y-%m-%d %H:%M} UTC |",
        f"| Scale | {run.cases:,} cases |",
    ]
    if run.generation_seconds is not None:
        rate = run.cases / run.generation_seconds if run.generation_seconds else 0
        how = ", COPY" if run.machine.database.startswith("PostgreSQL") else ", executemany"
        lines.append(
            f"| Generated | {run.customers or 0:,} customers, {run.events or 0:,} events, "
            f"{run.messages or 0:,} messages, {run.cases:,} search documents in "
            f"{_duration(run.generation_seconds)} ({rate:,.0f} cases/s{how}) |"
        )
    else:
        lines.append("| Generated | earlier (`--skip-generate`: measured an existing database) |")
    return lines


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _section(s: Section) -> list[str]:
    lines = [f"## {s.title}", ""]
    if s.about:
        lines += [s.about, ""]
    lines += [
        "| Figure | n | median | p95 | value | target | result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for f in s.figures:
        unit = f.unit if f.value is None else ""
        lines.append(
            f"| {f.label} | {f.n:,} | {_cell(f.median, unit)} | {_cell(f.p95, unit)} | "
            f"{_cell(f.value, f.unit)} | {_target(f)} | {_result(f)} |"
        )
    lines.append("")
    lines += [f"- {note}" for note in s.notes]
    if s.notes:
        lines.append("")
    for title, text in s.details:
        lines += [f"<details><summary>{title}</summary>", "", "```text", text.strip(), "```", ""]
        lines += ["</details>", ""]
    return lines


def _peer(sections: dict[str, Section]) -> list[str]:
    def fig(key: str, label_start: str) -> Figure | None:
        s = sections.get(key)
        return next((f for f in s.figures if f.label.startswith(label_start)), None) if s else None

    api_section = sections.get("api_create")
    rates = [f for f in (api_section.figures if api_section else []) if f.label.startswith("rate")]
    api = max(rates, key=lambda f: f.value or 0) if rates else None
    search = fig("search", "first page")
    detail = fig("detail", "case")
    ours = {
        "api": f"{_fmt(api.value)} cases/s ({api.label.removeprefix('rate, ')})"
        if api and api.value
        else "–",
        "search": f"median {_fmt(search.median)} ms, p95 {_fmt(search.p95)} ms"
        if search and search.median is not None
        else "–",
        "detail": f"median {_fmt(detail.median)} ms, p95 {_fmt(detail.p95)} ms "
        "(the selectors' reads, not a rendered page)"
        if detail and detail.median is not None
        else "–",
    }
    return [
        f"## Compared with {PEER}",
        "",
        f"The open-source {PEER}, measured on this kind of machine with 100,000 tickets on "
        "SQLite (figures quoted from the issue, not re-measured here).",
        "",
        f"| | {PEER} (100k tickets, SQLite) | Kefu (this run) |",
        "|---|---|---|",
        f"| Creation through the API | {PEER_FIGURES['api']} | {ours['api']} |",
        f"| Chinese keyword search | {PEER_FIGURES['search']} | {ours['search']} |",
        f"| Ticket / case detail | {PEER_FIGURES['detail']} | {ours['detail']} |",
        "",
    ]


def render(run: Run, sections: list[Section]) -> str:
    by_key = {s.key: s for s in sections}
    targeted = [(s, f) for s in sections for f in s.figures if f.target is not None]
    lines = [
        "# Kefu benchmarks",
        "",
        "Written by `make bench` (the `bench/` package). Generate and measure: `make bench` "
        "(`KEFU_BENCH_CASES`, default 100,000; `KEFU_BENCH_DATABASE_URL`, default PostgreSQL "
        "`kefu_bench` on 127.0.0.1). Re-measure the same database: "
        "`.venv/bin/python -m bench --skip-generate`.",
        "",
        "The targets are set for 1,000,000 cases on a 2-core machine with PostgreSQL; "
        "at a smaller scale they are indicative only. Latencies are wall-clock "
        "milliseconds in the benchmark process (Python + database), median and 95th "
        "percentile; the machine is shared, so expect some noise.",
        "",
        "## Machine and workload",
        "",
        *_workload(run),
        "",
        "## Summary",
        "",
        "| Figure | Measured | Target | Result |",
        "|---|---|---|---|",
        *[
            f"| {s.title}: {f.label} | {f.measured} | {_target(f)} | {_result(f)} |"
            for s, f in targeted
        ],
        "",
    ]
    for s in sections:
        lines += _section(s)
    lines += _peer(by_key)
    missed = [(s, f) for s, f in targeted if f.passed is False]
    lines += ["## Where Kefu falls short", ""]
    if missed:
        lines += [
            f"- **{s.title}: {f.label}** — measured {f.measured}, target {_target(f)}."
            for s, f in missed
        ]
        lines.append("")
        lines.append(
            "The query plans above show where the time goes; docs/benchmarks.md is rewritten "
            "by every run, and the analysis of each miss is in the README's Benchmarks section."
        )
    else:
        lines.append("Every target is met at this scale.")
    lines.append("")
    return "\n".join(lines)


def write(path: Path, run: Run, sections: list[Section]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(run, sections), encoding="utf-8")


def summary(sections: list[Section]) -> str:
    """Each targeted figure next to its target, for the console."""
    lines = []
    for s in sections:
        for f in s.figures:
            if f.target is not None:
                lines.append(
                    f"{_result(f) or '  –':8} {s.title}: {f.label}: {f.measured} "
                    f"(target {_target(f)})"
                )
    return "\n".join(lines)
