"""Customers at scale: importing customers and their consumption from files (time and peak
memory), the RFM regrading of every customer, and the customer 360 page."""

from __future__ import annotations

import random
import tempfile
import threading
import time
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.crm.actions import recompute_grades
from kefu.crm.models import CustomerValue
from kefu.customers import samples
from kefu.customers.import_actions import create_import_job_from_path, run_import

from .measure import Context, count_queries, measurement, timed
from .results import Figure, Section, Target

CUSTOMERS_TARGET = 1_000_000
CONSUMPTION_PER_CUSTOMER = 3
BAD_SHARE = 0.005


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class _PeakRss:
    """Samples the resident memory every 50 ms while the block runs."""

    def __enter__(self) -> _PeakRss:
        self.start = self.peak = _rss_kb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_kb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_kb())


@measurement("crm", "Customers: import, RFM grading, customer 360", order=95)
def crm(ctx: Context) -> Section:
    customers = min(ctx.cases, CUSTOMERS_TARGET)
    purchases = customers * CONSUMPTION_PER_CUSTOMER
    actor = Actor.system("bench")
    with tempfile.TemporaryDirectory() as tmp:
        people = samples.write(
            Path(tmp) / "customers.csv", samples.customer_rows(customers, bad_share=BAD_SHARE)
        )
        orders = samples.write(
            Path(tmp) / "consumption.csv",
            samples.consumption_rows(purchases, customers=customers, bad_share=BAD_SHARE),
        )
        with _PeakRss() as memory:
            t0 = time.perf_counter()
            first = run_import(
                create_import_job_from_path(actor=actor, kind="customers", path=people).pk
            )
            people_seconds = time.perf_counter() - t0
            t0 = time.perf_counter()
            second = run_import(
                create_import_job_from_path(actor=actor, kind="consumption", path=orders).pk
            )
            orders_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = run_import(
            create_import_job_from_path(actor=actor, kind="consumption", path=orders).pk
        )
        again_seconds = time.perf_counter() - t0
    total = people_seconds + orders_seconds
    projected = total * CUSTOMERS_TARGET / max(customers, 1)

    t0 = time.perf_counter()
    graded = recompute_grades(actor=Actor.system("rfm"))
    grade_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    regrade = recompute_grades(actor=Actor.system("rfm"))
    regrade_seconds = time.perf_counter() - t0
    # Grading scales with the customers; moving tiers with the customers whose tier changes
    # (and, for those with open cases, with their cases' clocks).
    grading_only = max(0.0, grade_seconds - graded.moves_seconds)
    grade_projected = grading_only * CUSTOMERS_TARGET / max(graded.graded, 1)

    manager = User.objects.filter(role=Role.SITE_MANAGER).order_by("pk").first() or (
        User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    )
    # Production static storage (hashed names) needs its manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    if manager is not None:
        client.force_login(manager)
    ids = list(CustomerValue.objects.order_by("?").values_list("customer_id", flat=True)[:200])
    rng = random.Random(5)

    def page(customer_id: int) -> None:
        response = client.get(f"/customers/{customer_id}/")
        assert response.status_code == 200, response.status_code

    if ids:
        page(ids[0])  # warm
    samples_ms = [timed(lambda: page(rng.choice(ids))) for _ in range(ctx.repeat)] if ids else []
    queries = count_queries(lambda: page(ids[0])) if ids else 0

    return Section(
        "crm",
        "Customers: import, RFM grading, customer 360",
        about=(
            f"A CSV of {customers:,} customers ({BAD_SHARE:.1%} bad rows) and one of "
            f"{purchases:,} consumption rows are imported through the worker job's code "
            "(`run_import`: streamed rows read and checked ahead by a thread, batches of 10,000 "
            "deduplicated by customer "
            "number, phone and email, and bulk-written, each batch one transaction with the "
            "job's progress); peak resident memory is sampled every 50 ms. The consumption "
            "file is then imported again (every row recognised, nothing written). The RFM "
            "grading of every customer with purchases runs twice (first: every grade and "
            "tier written; second: nothing changed). The customer 360 page is read as a site "
            f"manager for random graded customers. Projections are to {CUSTOMERS_TARGET:,} "
            "customers with 3 purchases each."
        ),
        figures=[
            Figure.single(
                f"import {customers:,} customers",
                round(people_seconds, 2),
                unit="s",
                n=first.created_count,
            ),
            Figure.single(
                f"import {purchases:,} consumption rows",
                round(orders_seconds, 2),
                unit="s",
                n=second.created_count,
            ),
            Figure.single(
                "import 1M customers + 3M rows (projected)",
                round(projected, 1),
                unit="s",
                target=Target("value", "<=", 60),
            ),
            Figure.single("peak RSS during the imports", round(memory.peak / 1024), unit="MB"),
            Figure.single(
                "RSS growth during the imports",
                round((memory.peak - memory.start) / 1024),
                unit="MB",
            ),
            Figure.single(
                "re-import of the consumption file",
                round(again_seconds, 2),
                unit="s",
                n=again.unchanged_count,
            ),
            Figure.single(
                f"RFM grading, {graded.graded:,} customers",
                round(grade_seconds, 2),
                unit="s",
                n=graded.tier_changes,
            ),
            Figure.single(
                "RFM regrading, nothing changed",
                round(regrade_seconds, 2),
                unit="s",
                n=regrade.written,
            ),
            Figure.single(
                "RFM grading of 1M customers (projected)",
                round(grade_projected, 1),
                unit="s",
                target=Target("value", "<=", 60),
            ),
            Figure.of_samples("customer 360 page", samples_ms, target=Target("p95", "<=", 50)),
            Figure.single("SQL queries per customer 360 page", queries),
        ],
        notes=[
            f"Rows with errors: {first.error_rows:,} customers, {second.error_rows:,} "
            "consumption (reported per row, skipped).",
        ],
    )


EXCEL_ROWS = 100_000
EXCEL_READ_ROWS = 300_000


def _excel_file(path: Path, rows: int, *, start: int) -> Path:
    """A customers workbook as Excel saves it (xlsxwriter: texts in the shared-strings table,
    the sheet's size declared); customer numbers from `start`, so its customers are new."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, row in enumerate(samples.customer_rows(rows, bad_share=0.01, start=start)):
        sheet.write_row(i, 0, row)
    book.close()
    return path


@measurement("excel", "Customers: a 100,000-row Excel file", order=96)
def excel(ctx: Context) -> Section:
    """The issue's demo file (100,000 customers, ~1% bad rows) imported from an Excel-style
    workbook, and a larger one only read, with the memory each takes."""
    from kefu.customers.importing import iter_raw

    actor = Actor.system("bench")
    # Customer numbers no earlier run used, so that every run creates its customers.
    start = 100_000_000 + int(time.time()) % 100_000 * EXCEL_ROWS
    with tempfile.TemporaryDirectory() as tmp:
        path = _excel_file(Path(tmp) / "customers.xlsx", EXCEL_ROWS, start=start)
        with _PeakRss() as imported:
            t0 = time.perf_counter()
            job = run_import(
                create_import_job_from_path(actor=actor, kind="customers", path=path).pk
            )
            import_seconds = time.perf_counter() - t0
        big = _excel_file(Path(tmp) / "big.xlsx", EXCEL_READ_ROWS, start=80_000_000)
        with _PeakRss() as read:
            t0 = time.perf_counter()
            rows = sum(1 for _ in iter_raw(big, big.name)) - 1
            read_seconds = time.perf_counter() - t0
    return Section(
        "excel",
        "Customers: a 100,000-row Excel file",
        about=(
            f"A workbook of {EXCEL_ROWS:,} customers (~1% bad rows) written as Excel writes "
            "one (every text in the shared-strings table, the sheet's size declared) is "
            "imported through the worker job's code; then one of "
            f"{EXCEL_READ_ROWS:,} rows is only read. Peak resident memory is sampled every "
            "50 ms; growth is over the process's memory before each."
        ),
        figures=[
            Figure.single(
                f"import {EXCEL_ROWS:,}-row Excel file",
                round(import_seconds, 2),
                unit="s",
                n=job.created_count,
            ),
            Figure.single(
                "RSS growth during that import",
                round((imported.peak - imported.start) / 1024),
                unit="MB",
            ),
            Figure.single(
                f"read {EXCEL_READ_ROWS:,}-row Excel file", round(read_seconds, 2), unit="s", n=rows
            ),
            Figure.single(
                "RSS growth while reading it", round((read.peak - read.start) / 1024), unit="MB"
            ),
        ],
        notes=[
            f"Bad rows reported: {job.error_rows:,} (row, field, problem, value each).",
        ],
    )
