"""What other domains may listen to, sent once the transaction that wrote it has committed.

Higher layers (surveys, channels, …) react to the service record without the case actions
importing them: a receiver connected in its app's ``ready()`` with ``listen`` gets every
committed event of the types it names and should only enqueue work (a failing receiver is
logged and does not fail the request). Events nobody listens for are not published at all:
a sweep that records 20,000 breaches builds no event objects for receivers that ignore them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.dispatch import Signal

# Sent with ``event``: the committed kefu.cases.models.CaseEvent.
case_event_committed = Signal()

_wanted_types: set[str] = set()
_typed_receivers: set[str] = set()


def listen(receiver: Callable[..., Any], *, types: Iterable[str], dispatch_uid: str) -> None:
    """Connect `receiver` for the committed events of `types`. (A receiver connected to
    ``case_event_committed`` directly gets every event: then every event is published.)"""
    _wanted_types.update(str(t) for t in types)
    _typed_receivers.add(dispatch_uid)
    case_event_committed.connect(receiver, dispatch_uid=dispatch_uid)


def is_wanted(event_type: str) -> bool:
    """Whether some receiver wants committed events of this type."""
    receivers = case_event_committed.receivers
    if not receivers:
        return False
    if len(receivers) > len(_typed_receivers):  # someone connected without naming types
        return True
    return event_type in _wanted_types
