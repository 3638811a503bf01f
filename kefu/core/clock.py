"""The one source of "now" for domain code.

Actions read the time from here so that the demo loader can replay 90 days of history and
tests can stand at a chosen moment, without patching the standard library.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "kefu_clock", default=None
)


def now() -> dt.datetime:
    frozen = _frozen.get()
    return frozen if frozen is not None else timezone.now()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Make `now()` return `moment` inside the block (demo replay, tests)."""
    if timezone.is_naive(moment):
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


def today() -> dt.date:
    """Today's date where the service centre is (settings.TIME_ZONE), not in UTC: between
    midnight and 08:00 in China the UTC date is still yesterday's."""
    return timezone.localdate(now())
