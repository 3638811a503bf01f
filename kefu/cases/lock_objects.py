from __future__ import annotations

from kefu.cases.models import Case
from kefu.core.errors import NotFound


def lock_case(case_id: int) -> Case:
    """The case row, locked for the rest of the transaction (transitions, assignment)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("kind", "team", "site")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("case not found")
    return case
