"""Domain errors. The API and the UI translate them; actions raise them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class DomainError(Exception):
    """Base of every error an action raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class ValidationFailed(DomainError):
    """Input is missing or malformed (API: 422)."""

    code = "validation_failed"


class PermissionDenied(DomainError):
    """The actor may not do this (API: 403)."""

    code = "forbidden"


class NotFound(DomainError):
    """Nothing the actor may see has this id (API: 404). Never says whether it exists."""

    code = "not_found"


class Conflict(DomainError):
    """The state changed under the caller (API: 409)."""

    code = "conflict"


class TransitionNotAllowed(Conflict):
    """The workflow does not allow this step from the current status."""

    code = "transition_not_allowed"

    def __init__(self, message: str, *, allowed: Iterable[str]) -> None:
        super().__init__(message)
        self.allowed = sorted(allowed)


class StaleVersion(Conflict):
    """The caller edited an out-of-date version of the record."""

    code = "stale_version"
