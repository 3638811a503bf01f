"""Signed, expiring tokens for portal sign-in links and web-form confirmations."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SIGN_IN = "kefu.portal.sign-in"
CONFIRM = "kefu.portal.web-form"


def make(purpose: str, value: int) -> str:
    return signing.dumps(value, salt=purpose, compress=False)


def read(purpose: str, token: str) -> int | None:
    """The signed value, or None when the token is forged, altered or expired."""
    try:
        value = signing.loads(token, salt=purpose, max_age=settings.KEFU_PORTAL_LINK_MINUTES * 60)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
