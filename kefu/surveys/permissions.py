"""Who may design, distribute and read surveys."""

from __future__ import annotations

from django.db.models import QuerySet

from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.surveys.models import Response

DESIGN_ROLES = frozenset({Role.SUPERVISOR, Role.SITE_MANAGER, Role.ADMIN})
CONFIGURE_ROLES = frozenset({Role.SITE_MANAGER, Role.ADMIN})


def may_design(user: User) -> bool:
    """Design questionnaires, send them, schedule waves and enter peer figures."""
    return user.is_active and user.role in DESIGN_ROLES


def may_configure(user: User) -> bool:
    """Set the weights of the satisfaction index."""
    return user.is_active and user.role in CONFIGURE_ROLES


def may_see_results(user: User) -> bool:
    return user.is_active


def scope_responses(user: User, qs: QuerySet[Response]) -> QuerySet[Response]:
    """Managers see every result; back offices their department's (they share the result);
    agents the answers about their own cases."""
    if user.role in DESIGN_ROLES:
        return qs
    if user.role == Role.BACKOFFICE:
        return qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    return qs.filter(agent_id=user.pk)
