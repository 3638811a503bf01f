"""Side effects run after the transaction that caused them commits.

Tasks run in the huey consumer (`python -m kefu run_huey`): on embedded SQLite storage by
default, on Redis when KEFU_REDIS_URL is set (docs/adr/0002-task-queue.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.db import transaction
from huey.contrib.djhuey import task


def enqueue_on_commit(task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue a huey task once the current transaction commits (never on rollback)."""
    transaction.on_commit(lambda: task(*args, **kwargs))


@task()
def ping_task(token: str) -> dict[str, Any]:
    """Answer with the token and the worker's process id: proves a consumer is running."""
    return {"pong": token, "pid": os.getpid()}
