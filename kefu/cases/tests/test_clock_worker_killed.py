"""A worker killed in the middle of a big sweep (kill -9, no cleanup): the next run finishes the
job and every due breach is recorded, escalated and notified exactly once.

Real processes on the real test database (the SQLite file, or PostgreSQL when
KEFU_DATABASE_URL says so): the sweep runs in a subprocess in small batches and is killed once
some of them have committed; then a real huey consumer (embedded SQLite queue in a temporary
file, or Redis when KEFU_REDIS_URL is set) runs the periodic sweep job to the end.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kefu.cases.choices import EventType
from kefu.cases.models import Case, CaseClock, CaseEvent, CaseNotification
from kefu.cases.tasks import sweep_clocks_task
from kefu.config import BASE_DIR, config
from kefu.core import clock
from tests.factories import make_case, make_org

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CASES = 60
BATCH = 1  # cases per transaction in the killed sweep: many commits to kill it between
METRICS = ("assign", "first_response", "resolution")


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a worker process on this test's database, and this process's huey
    pointed at the same real queue (tests otherwise run tasks inline)."""
    queue = tmp_path / "tasks.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "KEFU_DEBUG": "1",
        "KEFU_DATABASE_URL": _database_url(),
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_TASKS_DB": str(queue),
    }
    saved = dict(HUEY.storage_kwargs), HUEY.storage, HUEY.immediate
    if not config.redis_url:
        HUEY.storage_kwargs["filename"] = str(queue)
        HUEY._immediate = False
        HUEY.storage = HUEY.create_storage()
    try:
        yield env
    finally:
        if HUEY.storage is not saved[1]:
            HUEY.storage.close()
        HUEY.storage_kwargs.clear()
        HUEY.storage_kwargs.update(saved[0])
        HUEY._immediate = saved[2]
        HUEY.storage = saved[1]


def _breached(case_ids: list[int]) -> int:
    return CaseClock.objects.filter(case_id__in=case_ids, breached_at__isnull=False).count()


def test_a_worker_killed_mid_sweep_loses_nothing_and_doubles_nothing(worker_env) -> None:
    # given complaints opened a month ago, never touched: assign, first response and
    # resolution are all overdue (three breaches, two escalation steps each)
    org = make_org()
    with clock.frozen_at(timezone.now() - dt.timedelta(days=30)):
        ids = [make_case(org, subject=f"投诉{i}").pk for i in range(CASES)]
    due = CASES * len(METRICS)
    assert CaseClock.objects.filter(case_id__in=ids, stopped_at__isnull=True).count() == due

    # when a sweep in small batches is killed (SIGKILL) after some batches committed
    sweep = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kefu",
            "shell",
            "-c",
            f"from kefu.cases import actions; actions.sweep_clocks(batch={BATCH})",
        ],
        cwd=BASE_DIR,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _breached(ids) < due // 4 and time.monotonic() < deadline and sweep.poll() is None:
        time.sleep(0.005)
    sweep.send_signal(signal.SIGKILL)
    sweep.wait(timeout=10)
    stderr = sweep.stderr.read().decode() if sweep.stderr else ""
    assert sweep.returncode == -signal.SIGKILL, f"the sweep ended before it was killed: {stderr}"
    killed_at = _breached(ids)
    assert 0 < killed_at < due, killed_at
    # then every case is either fully recorded or untouched (a batch is one transaction)
    for case_id in ids:
        recorded = CaseEvent.objects.filter(case_id=case_id, type=EventType.SLA_BREACHED).count()
        assert recorded in (0, len(METRICS)), (case_id, recorded)

    # when a real worker process runs the periodic sweep job (huey keeps no result of a
    # periodic job: watch the database)
    sweep_clocks_task()
    consumer = subprocess.Popen(
        [sys.executable, "-m", "kefu", "run_huey", "--workers", "1", "--no-periodic"],
        cwd=BASE_DIR,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _breached(ids) < due and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # anything the worker would still (wrongly) write
        assert consumer.poll() is None, "the worker died"
        assert HUEY.pending_count() == 0
    finally:
        consumer.terminate()
        consumer.wait(timeout=15)

    # then every due breach is recorded, escalated and notified exactly once
    assert _breached(ids) == due
    assert CaseEvent.objects.filter(case_id__in=ids, type=EventType.SLA_BREACHED).count() == due
    for case in Case.objects.filter(pk__in=ids):
        events = list(CaseEvent.objects.filter(case=case).values_list("type", "data__metric"))
        breaches = sorted(m for t, m in events if t == EventType.SLA_BREACHED)
        assert breaches == sorted(METRICS), (case.pk, events)
        assert [t for t, _ in events].count(EventType.ESCALATED) == 2
        assert not any(t == EventType.SLA_WARNING for t, _ in events)
        assert (case.escalation_level, case.escalated_to_id) == (2, org.site_manager.pk)
        kinds = CaseNotification.objects.filter(case=case).values_list("kind", flat=True)
        assert list(kinds) == ["sla_breach"] * len(METRICS)
