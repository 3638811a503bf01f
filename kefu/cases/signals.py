"""What other domains may listen to, sent once the transaction that wrote it has committed.

Higher layers (surveys, channels, …) react to the service record without the case actions
importing them: a receiver connected in its app's ``ready()`` gets every committed event and
should only enqueue work (a failing receiver is logged and does not fail the request).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``event``: the committed kefu.cases.models.CaseEvent.
case_event_committed = Signal()
