"""Time standards at scale: the sweep when 1% of all cases have a clock due, and the
recomputation of every running clock after a calendar change."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable

from django.db import connection
from django.db.models import F, Subquery

from kefu.cases import actions
from kefu.cases.choices import OPEN_STATUSES
from kefu.cases.models import Case, CaseClock, CaseEscalation
from kefu.core import clock
from kefu.core.bulk import append_rows
from kefu.sla.models import BusinessCalendar
from kefu.sla.policies import SlaPolicy
from kefu.sla.selectors import default_calendar

from .measure import Context, measurement
from .results import Figure, Section, Target

DUE_SHARE = 0.01  # of all cases: 1M cases → 10,000 clocks due in one sweep
RECOMPUTE_TARGET = 100_000  # clocks; the target is for this many


def _give_every_case_a_clock(now: dt.datetime, due_wanted: int) -> tuple[int, int]:
    """A running resolution clock on every case (the issue's "1M open cases": the sweep
    reads clocks, not statuses, so the generated history's closed cases carry one too), of
    which `due_wanted` are past due, on open cases with an escalation step left, so every
    run escalates as much as the first. Bulk, as a fixture (COPY), not a product path.
    Clocks of an earlier run are removed first. Returns (running clocks, clocks due)."""
    CaseClock.objects.all().delete()
    # Earlier runs escalated open cases up their chains: back to the bottom.
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    CaseEscalation.objects.filter(case__in=open_cases).delete()
    open_cases.filter(escalation_level__gt=0).update(escalation_level=0, escalated_to=None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would: the pages' room back
            cursor.execute("VACUUM cases_case")
    calendar = default_calendar()
    policy = SlaPolicy.objects.filter(kind_code="", tier="", priority__isnull=True).first()
    rng = random.Random(7)
    fresh = list(
        open_cases.filter(escalation_level__lt=2).order_by("pk").values_list("pk", flat=True)
    )
    due_ids = set(rng.sample(fresh, min(due_wanted, len(fresh))))
    fields = [
        "case", "metric", "policy", "calendar", "calendar_version", "policy_version",
        "target_seconds", "started_at", "warn_at", "due_at", "warned_at",
        "business_time", "warn_share", "paused_seconds",
    ]  # fmt: skip
    policy_id, policy_version = (policy.pk, policy.version) if policy else (None, 1)
    rows = []
    every_case = Case.objects.order_by("pk").values_list("pk", flat=True).iterator(10_000)
    for pk in every_case:
        due = pk in due_ids
        due_at = (
            now - dt.timedelta(minutes=rng.randint(1, 600))
            if due
            else now + dt.timedelta(hours=rng.randint(7, 400))
        )
        warn_at = due_at - dt.timedelta(hours=6)
        rows.append(
            (pk, "resolution", policy_id, calendar.pk, calendar.version, policy_version,
             1800 * 60, due_at - dt.timedelta(hours=30), warn_at, due_at,
             # warnings already recorded: the sweep's work is the breaches (and the
             # warnings of the clocks due within 6 hours)
             warn_at if due else None, True, 0.8, 0)
        )  # fmt: skip
        if len(rows) == 50_000:
            append_rows(CaseClock, fields, rows)
            rows = []
    append_rows(CaseClock, fields, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would
            cursor.execute("ANALYZE cases_caseclock")
    running = CaseClock.objects.filter(stopped_at__isnull=True)
    return running.count(), running.filter(breached_at__isnull=True, due_at__lte=now).count()


def _keep_running_clocks(count: int) -> int:
    """Stop all but `count` running clocks (the first cases'), for a recompute of exactly
    that many. Returns how many run."""
    running = CaseClock.objects.filter(stopped_at__isnull=True)
    last = running.order_by("case_id").values_list("case_id", flat=True)[count - 1 : count]
    running.filter(case_id__gt=Subquery(last)).delete()
    return running.count()


def _together(calls: list[Callable[[], tuple[int, int]]]) -> list[tuple[int, int]]:
    """Run the calls at once, each in its own thread with its own database connection."""
    results: list[tuple[int, int]] = [(0, 0)] * len(calls)

    def run(i: int, call: Callable[[], tuple[int, int]]) -> None:
        try:
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@measurement("sla", "Time standards: sweep and recompute", order=90)
def sla(ctx: Context) -> Section:
    now = clock.now()
    due_wanted = round(ctx.cases * DUE_SHARE)
    open_clocks, due = _give_every_case_a_clock(now, due_wanted)

    # Finding what is due: the sweep's two index scans (repeated; nothing is marked).
    running = CaseClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    find = []
    for _ in range(20):
        t0 = time.perf_counter()
        list(running.filter(breached_at__isnull=True, due_at__lte=now).values_list("id")[:1000])
        list(running.filter(warned_at__isnull=True, warn_at__lte=now).values_list("id")[:1000])
        find.append((time.perf_counter() - t0) * 1000)

    # The whole sweep: every due clock breached, its case escalated, its people notified.
    t0 = time.perf_counter()
    warned, breached = actions.sweep_clocks(now=now)
    sweep_seconds = time.perf_counter() - t0
    per_record_ms = sweep_seconds * 1000 / max(warned + breached, 1)

    # The same again with two workers at once (each batch locks its cases, SKIP LOCKED).
    _give_every_case_a_clock(now, due_wanted)
    t0 = time.perf_counter()
    shares = _together([lambda: actions.sweep_clocks(now=now)] * 2)
    two_seconds = time.perf_counter() - t0
    two_breached = sum(b for _w, b in shares)

    # A calendar change: every running clock on it becomes stale; the worker's job
    # recomputes them all, batch after batch (each one short transaction). The issue's
    # figure is for 100,000 clocks: the others are removed first.
    _keep_running_clocks(RECOMPUTE_TARGET)
    BusinessCalendar.objects.filter(pk=default_calendar().pk).update(version=F("version") + 1)
    stale = CaseClock.objects.filter(stopped_at__isnull=True).count()
    t0 = time.perf_counter()
    cases_done = actions.recompute_all_stale_clocks(batch=1000)
    recompute_seconds = time.perf_counter() - t0

    # Another change, and the worker's job as it runs it: a second worker joins (each batch
    # skips the cases the other holds).
    BusinessCalendar.objects.filter(pk=default_calendar().pk).update(version=F("version") + 1)
    t0 = time.perf_counter()
    recompute_shares = _together([lambda: (actions.recompute_all_stale_clocks(batch=1000), 0)] * 2)
    two_recompute_seconds = time.perf_counter() - t0

    return Section(
        "sla",
        "Time standards: sweep and recompute",
        about=(
            f"Every case gets a running resolution clock ({open_clocks:,} clocks: the issue's "
            "1M open cases; the sweep reads clocks, not statuses, so the generated history's "
            f"closed cases carry one too); {due:,} of them — {DUE_SHARE:.0%} — are past due "
            "and not yet breached, on open cases with an escalation step left. One call of the "
            "sweep (`sweep_clocks`, as the worker runs it every minute) finds them through the "
            "partial indexes and records, batch after batch of 1,000 cases: a breach event, "
            "one escalation step (an event and the case row), the notices, the clock marked; "
            "plus the 80% warnings that fall due. The same again (new clocks, other cases) "
            "with two workers sweeping at once. Then all but "
            f"{RECOMPUTE_TARGET:,} clocks are removed, a calendar change makes those stale, "
            "and the worker's job recomputes all of them (batches of 1,000 cases, one short "
            "transaction each, every due time moves and is recorded); then again after another "
            "change, with two workers at once, as the worker's minute job runs a big one."
        ),
        figures=[
            Figure.of_samples("find due clocks (index scans)", find),
            Figure.single(
                f"whole sweep, {due:,} due clocks",
                round(sweep_seconds, 2),
                unit="s",
                target=Target("value", "<=", 1),
            ),
            Figure.single("breaches recorded", breached),
            Figure.single("whole sweep, two workers at once", round(two_seconds, 2), unit="s", n=2),
            Figure.single("breaches recorded by the two workers", two_breached),
            Figure.single("warnings recorded", warned),
            Figure.single("sweep, ms per warning or breach", round(per_record_ms, 3), unit="ms"),
            Figure.single(
                f"recompute {stale:,} clocks",
                round(recompute_seconds, 2),
                unit="s",
                n=cases_done,
                target=Target("value", "<=", 30 * stale / RECOMPUTE_TARGET),
            ),
            Figure.single(
                f"recompute {stale:,} clocks, two workers at once",
                round(two_recompute_seconds, 2),
                unit="s",
                n=sum(done for done, _ in recompute_shares),
            ),
        ],
        notes=[
            "Two workers: "
            + ", ".join(f"{b:,} breaches" for _w, b in shares)
            + " (each batch is one transaction that locks its cases with SKIP LOCKED); "
            + "recomputing, "
            + " and ".join(f"{done:,} cases" for done, _ in recompute_shares)
            + ".",
            "The sweep's cost grows with the clocks due, not with the open cases: finding them "
            "is a range scan of a partial index; the time goes into writing the record "
            "(events, escalated cases, notices, clocks: a few bulk statements per batch).",
            "Overlapping sweeps share the work: each batch locks its cases with SKIP LOCKED, "
            "and a warning or breach is only recorded while its clock is still unmarked.",
        ],
    )
