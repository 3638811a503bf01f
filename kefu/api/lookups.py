"""Rows a request body names by id. An unknown id in a body is a 422 naming the field."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from kefu.accounts.models import Department, Team, User
from kefu.core.errors import ValidationFailed


def by_id[M: Model](model: type[M], pk: int | None, field: str, **filters: Any) -> M | None:
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk, **filters).first()
    if row is None:
        raise ValidationFailed(f"{field} {pk} does not exist", fields={field: "unknown id"})
    return row


def team(pk: int | None, field: str = "team_id") -> Team | None:
    return by_id(Team, pk, field)


def staff(pk: int | None, field: str) -> User | None:
    return by_id(User, pk, field, is_active=True)


def department(pk: int | None, field: str) -> Department | None:
    return by_id(Department, pk, field)
