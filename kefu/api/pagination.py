"""Page-number pagination: `?page=1&page_size=25` (at most 100 a page).

Every list answers {"items": [...], "count": N, "page": P, "page_size": S}.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

MAX_PAGE_SIZE = 100


class PageParams(Schema):
    page: int = Field(default=1, ge=1, description="1-based page number.")
    page_size: int = Field(
        default=settings.NINJA_PAGINATION_PER_PAGE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description="Rows per page.",
    )


def paginate(qs: QuerySet[Any], params: PageParams) -> tuple[Sequence[Any], dict[str, int]]:
    """One COUNT and one page query; a page past the end is empty."""
    count = qs.count()
    start = (params.page - 1) * params.page_size
    rows = list(qs[start : start + params.page_size]) if start < count else []
    return rows, {"count": count, "page": params.page, "page_size": params.page_size}
