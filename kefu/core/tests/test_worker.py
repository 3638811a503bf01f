"""The task queue for real: a huey consumer subprocess runs a task enqueued on commit.

Embedded SQLite storage in a temporary file by default; Redis when KEFU_REDIS_URL is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from kefu.config import BASE_DIR, config
from kefu.core.tasks import enqueue_on_commit, ping_task

pytestmark = [pytest.mark.worker, pytest.mark.django_db]


@pytest.fixture
def queue_file(tmp_path: Path) -> Iterator[Path]:
    """Point this process's huey at real storage (tests otherwise run tasks inline)."""
    path = tmp_path / "tasks.sqlite3"
    saved_kwargs, saved_storage, saved_immediate = (
        dict(HUEY.storage_kwargs),
        HUEY.storage,
        HUEY.immediate,
    )
    if not config.redis_url:
        HUEY.storage_kwargs["filename"] = str(path)
        HUEY._immediate = False
        HUEY.storage = HUEY.create_storage()
    try:
        yield path
    finally:
        if HUEY.storage is not saved_storage:
            HUEY.storage.close()
        HUEY.storage_kwargs.clear()
        HUEY.storage_kwargs.update(saved_kwargs)
        HUEY._immediate = saved_immediate
        HUEY.storage = saved_storage


@pytest.fixture
def start_consumer(queue_file: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kefu.settings",
            "KEFU_DEBUG": "1",
            "KEFU_DATA_DIR": str(queue_file.parent),
            "KEFU_TASKS_DB": str(queue_file),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "kefu", "run_huey", "--workers", "1"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _is_queued(task_id: str) -> bool:
    return any(task_id.encode() in raw for raw in HUEY.storage.enqueued_items())


def test_a_real_consumer_runs_a_task_enqueued_when_the_transaction_commits(
    start_consumer, django_capture_on_commit_callbacks
):
    # given a task enqueued inside a transaction
    token = uuid.uuid4().hex
    task_id = f"test-ping-{token}"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue_on_commit(ping_task, token, id=task_id)
        # then nothing reaches the queue before the commit
        assert not _is_queued(task_id)
    # when it commits, the task is in the real queue (not run inline)
    assert len(callbacks) == 1
    assert _is_queued(task_id)
    assert HUEY.result(task_id, preserve=True) is None
    # and a real consumer process picks it up
    consumer = start_consumer()
    result = HUEY.result(task_id, blocking=True, timeout=60, max_delay=0.2)
    # then the consumer process ran it and stored the result
    assert result == {"pong": token, "pid": consumer.pid}
    assert consumer.poll() is None
    assert not _is_queued(task_id)


def test_a_rolled_back_transaction_enqueues_nothing(queue_file, django_capture_on_commit_callbacks):
    # given a task enqueued inside a transaction that fails
    task_id = f"test-ping-{uuid.uuid4().hex}"
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(ping_task, "never", id=task_id)
        raise RuntimeError("rollback")
    # then no task reaches the queue
    assert callbacks == []
    assert not _is_queued(task_id)
