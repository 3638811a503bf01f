"""What each role may do, in one place."""

from __future__ import annotations

from kefu.accounts.choices import Role
from kefu.accounts.models import User

SUPERVISING_ROLES = frozenset({Role.SUPERVISOR, Role.SITE_MANAGER, Role.ADMIN})
FRONT_OFFICE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.SITE_MANAGER, Role.ADMIN})


def is_supervising(user: User) -> bool:
    return user.role in SUPERVISING_ROLES


def may_take_contacts(user: User) -> bool:
    """Front-office roles open and accept cases; back-office staff handle what reaches them."""
    return user.role in FRONT_OFFICE_ROLES


def may_see_personal_data(user: User) -> bool:
    return user.role in SUPERVISING_ROLES
