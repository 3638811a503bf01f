"""What a policy may be keyed on: case kinds, customer tiers and priorities are defined above
the sla app (cases, crm), which name them here when they start; a policy is checked against
them and the admin offers them as choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed

Choices = Callable[[], Iterable[tuple[str, str]]]
_KEYS: dict[str, Choices] = {}


def register(key: str, choices: Choices) -> None:
    """`key` is "kind_code", "tier" or "priority"; `choices` gives (value, label) pairs."""
    _KEYS[key] = choices


def choices(key: str) -> list[tuple[str, str]]:
    """("", any) first, then the values the owning app names (none when it did not)."""
    found = _KEYS.get(key)
    return [("", _("不限")), *((str(v), str(label)) for v, label in (found() if found else ()))]


def check(kind_code: str, tier: str, priority: int | None) -> None:
    """Refuse a key its owning app does not know (a typo would never match a case)."""
    errors = {}
    for key, value in (("kind_code", kind_code), ("tier", tier), ("priority", priority)):
        found = _KEYS.get(key)
        if value in ("", None) or found is None:
            continue
        known = {str(v) for v, _label in found()}
        if str(value) not in known:
            errors[key] = f"one of {', '.join(sorted(known))}"
    if errors:
        raise ValidationFailed("unknown policy key", fields=errors)
