"""The measurements, in a registry: adding a figure to the benchmark is one decorated function.

    @measurement("sla_sweep", "SLA sweep", order=60)
    def sla_sweep(ctx: Context) -> Section:
        samples = [timed(lambda: ...) for _ in range(ctx.repeat)]
        return Section("sla_sweep", "SLA sweep", figures=[Figure.of_samples("sweep", samples)])

Put it in a module under bench/ and import that module at the bottom of this file. Each
measurement gets the Context (scale, options, the sections measured before it) and returns
one Section for the report. Reads run first, writes (which add cases) last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from .results import Section

Measure = Callable[["Context"], Section]


@dataclass(frozen=True)
class Measurement:
    key: str
    title: str
    order: int
    run: Measure


REGISTRY: dict[str, Measurement] = {}


def measurement(key: str, title: str, *, order: int) -> Callable[[Measure], Measure]:
    def register(fn: Measure) -> Measure:
        REGISTRY[key] = Measurement(key, title, order, fn)
        return fn

    return register


@dataclass
class Context:
    cases: int
    database_url: str
    api_requests: int = 400
    concurrency: int = 8
    workers: int = 4
    repeat: int = 200
    sections: dict[str, Section] = field(default_factory=dict)

    @property
    def vendor(self) -> str:
        return connection.vendor


def timed(fn: Callable[[], Any]) -> float:
    """Milliseconds taken by fn()."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def database_share(fn: Callable[[], Any], times: int = 20) -> float:
    """The share of fn()'s wall time spent in database calls (sending, planning, executing,
    receiving); the rest is Python (ORM, model instances)."""
    in_db = 0.0

    def wrapper(execute: Callable[..., Any], *args: Any) -> Any:
        nonlocal in_db
        t0 = time.perf_counter()
        try:
            return execute(*args)
        finally:
            in_db += time.perf_counter() - t0

    t0 = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        for _ in range(times):
            fn()
    return in_db / (time.perf_counter() - t0)


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    n = len(captured.captured_queries)
    reset_queries()
    return n


def run_all(ctx: Context, only: list[str] | None = None) -> list[Section]:
    chosen = sorted(REGISTRY.values(), key=lambda m: m.order)
    for m in chosen:
        if only and m.key not in only:
            continue
        t0 = time.perf_counter()
        print(f"measuring: {m.title} …", flush=True)
        section = m.run(ctx)
        ctx.sections[m.key] = section
        print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    return list(ctx.sections.values())


# The measurements register themselves on import.
from . import (  # noqa: E402, F401
    assist,
    channels,
    crm,
    customer_search,
    pages,
    reads,
    sla,
    surveys,
    writes,
)
