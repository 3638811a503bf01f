"""What django-htmx's middleware tells a view about the request."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest, *, boosted: bool = False) -> bool:
    """True for an HTMX request (with boosted=True: only for an hx-boost navigation)."""
    details = getattr(request, "htmx", None)
    if not details:
        return False
    return bool(details.boosted) if boosted else True
