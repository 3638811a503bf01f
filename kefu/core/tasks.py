"""Side effects run after the transaction that caused them commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue a huey task once the current transaction commits (never on rollback)."""
    transaction.on_commit(lambda: task(*args, **kwargs))
