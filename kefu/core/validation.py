"""Input checks shared by the actions of every app. They raise ValidationFailed naming the
field."""

from __future__ import annotations

from collections.abc import Sequence

from kefu.core.errors import ValidationFailed


def require_choice(value: object, field: str, choices: Sequence[str] | Sequence[int]) -> None:
    """`value` must be one of `choices` (e.g. a TextChoices' values)."""
    if value not in choices:
        listed = ", ".join(map(str, choices))
        raise ValidationFailed(
            f"{field} must be one of {listed}", fields={field: f"one of {listed}"}
        )
