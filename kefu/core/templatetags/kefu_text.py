"""Text filters any app's templates use."""

from __future__ import annotations

from django import template

from kefu.core.text import clip_to_width

register = template.Library()


@register.filter
def fit(value: object, width: int) -> str:
    """{{ label|fit:26 }}: at most 26 columns wide (Chinese characters count two)."""
    return clip_to_width(str(value if value is not None else ""), int(width))
