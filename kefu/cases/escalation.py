"""The escalation chain (逐级上报): the team's supervisor, then the site's first responsible
person. One rule for the escalate step and for the SLA sweep's escalations."""

from __future__ import annotations

from collections.abc import Sequence

from kefu.accounts.models import User


def next_step(
    chain: Sequence[User | None], level: int, escalated_to_id: int | None
) -> tuple[int, User] | None:
    """The next (level, person) above `level` on `chain`, skipping empty posts and the person
    the case is already escalated to; None at the top."""
    for step in range(level + 1, len(chain) + 1):
        target = chain[step - 1]
        if target is not None and target.pk != escalated_to_id:
            return step, target
    return None
