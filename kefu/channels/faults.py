"""Named points in the email pipeline where tests inject a crash (fetch, parse, store,
mark_seen). In production no hook is installed and a checkpoint does nothing."""

from __future__ import annotations

from collections.abc import Callable

HOOKS: list[Callable[[str], None]] = []


def checkpoint(step: str) -> None:
    for hook in HOOKS:
        hook(step)
