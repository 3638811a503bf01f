"""Bulk work in a Python process whose heap is large (Django, the rules, caches)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one bounded unit of bulk work (a batch).

    Such a batch allocates tens of thousands of short-lived rows, which trigger collection
    after collection, each scanning the whole long-lived heap: measured at ~10% of a sweep
    batch. Reference counting still frees every row as it goes; only reference cycles wait
    for the collector, which runs again as soon as the batch ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
