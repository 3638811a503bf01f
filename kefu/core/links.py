"""Absolute links to the pages people outside open from a message (survey, portal sign-in,
web-form confirmation): one place that knows the public address."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def public_link(view_name: str, *args: object) -> str:
    """KEFU_PUBLIC_URL (default http://KEFU_HOST:KEFU_PORT, see kefu.settings) + the path."""
    return settings.KEFU_PUBLIC_URL.rstrip("/") + reverse(view_name, args=args)
