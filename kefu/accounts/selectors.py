"""Reads for people and organisation: who can handle a case, which teams exist."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.accounts.choices import Role
from kefu.accounts.models import Department, Team, User


def assignable_handlers() -> QuerySet[User]:
    """Active staff who can handle a case, ordered by department and role (派单 by 部门/角色)."""
    return (
        User.objects.filter(is_active=True)
        .exclude(role=Role.ADMIN)
        .select_related("department", "team")
        .order_by("department__code", "role", "display_name", "username")
    )


def all_teams() -> QuerySet[Team]:
    return Team.objects.select_related("site", "department").order_by("code")


def all_departments() -> QuerySet[Department]:
    return Department.objects.order_by("code")


def supervised_teams(user: User) -> QuerySet[Team]:
    """The teams whose board a user may open: their own (supervisor), their site's, or all."""
    teams = all_teams()
    if user.role == Role.ADMIN:
        return teams
    if user.role == Role.SITE_MANAGER and user.site_id is not None:
        return teams.filter(site_id=user.site_id)
    if user.role == Role.SUPERVISOR and user.team_id is not None:
        return teams.filter(pk=user.team_id)
    return teams.none()


def team_members(team: Team) -> QuerySet[User]:
    return (
        User.objects.filter(team=team, is_active=True)
        .select_related("team", "department")
        .order_by("role", "display_name", "username")
    )


def handlers_near(user: User, *, also: int | None = None) -> QuerySet[User]:
    """The handlers a queue filter offers: the people a user works beside (their team, their
    site's staff for a site manager, their department for the back office; everyone for an
    admin), plus the one already chosen (`also`), so a list of hundreds is never rendered."""
    handlers = assignable_handlers()
    if user.role == Role.ADMIN:
        return handlers
    if user.role == Role.SITE_MANAGER and user.site_id is not None:
        near = Q(site_id=user.site_id) | Q(team__site_id=user.site_id)
    elif user.role == Role.BACKOFFICE and user.department_id is not None:
        near = Q(department_id=user.department_id)
    elif user.team_id is not None:
        near = Q(team_id=user.team_id)
    else:
        near = Q(pk=user.pk)
    chosen = [user.pk] if also is None else [user.pk, also]
    return handlers.filter(near | Q(pk__in=chosen))
