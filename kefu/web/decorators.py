"""The workspace views' wrapper (shared with the other apps' staff pages) and `forbid`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from kefu.accounts.pages import staff_page

# One wrapper for the workspace and every app's staff pages (kefu.accounts.pages).
staff_view = staff_page


def forbid(reason: str) -> DjangoPermissionDenied:
    """A 403 whose page tells the user why."""
    return DjangoPermissionDenied(reason)
