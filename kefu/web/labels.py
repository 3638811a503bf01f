"""Display names in the active language (kinds and causes carry a Chinese and an English name)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from kefu.accounts.choices import Role
from kefu.accounts.models import User


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def kind_name(obj: Any) -> str:
    """CaseKind or CauseCategory name in the active language."""
    if obj is None:
        return ""
    return obj.name_en if is_english() and obj.name_en else obj.name_zh


def user_choice_label(user: User) -> str:
    role = Role(user.role).label if user.role in Role.values else user.role
    team = f" · {user.team.name}" if user.team_id and user.team else ""
    return f"{user.label} · {role}{team}"
