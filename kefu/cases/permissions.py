"""Who may see a case and who may do what to it. Checked by actions and selectors alike."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising, may_take_contacts
from kefu.cases import escalation
from kefu.cases.models import Case
from kefu.core.errors import PermissionDenied

# Steps that belong to whoever handles the case (or those who supervise it).
HANDLER_ACTIONS = frozenset(
    {"contact", "await_customer", "resume", "resolve", "close", "reopen", "transfer"}
)
# Steps any front-office member of staff may take on a case they can see (人人受理).
FRONT_OFFICE_ACTIONS = frozenset({"accept", "assign", "change_kind", "record_return_visit"})


def visibility_filter(user: User) -> Q | None:
    """The cases a member of staff may see; None means all of them."""
    if user.role == Role.ADMIN:
        return None
    mine = Q(handler=user) | Q(created_by=user) | escalation.EscalatedTo(user.pk)
    if user.role == Role.SITE_MANAGER:
        return mine | Q(site_id=user.site_id)
    if user.role == Role.BACKOFFICE:
        return mine | Q(team__department_id=user.department_id, team__isnull=False)
    # Agents and supervisors: their team's cases and their site's intake (no team yet).
    return (
        mine
        | Q(team_id=user.team_id, team__isnull=False)
        | Q(team__isnull=True, site_id=user.site_id)
    )


def scope_cases(qs: QuerySet[Case], user: User) -> QuerySet[Case]:
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def can_see_case(user: User, case: Case) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.pk in (case.handler_id, case.escalated_to_id, case.created_by_id):
        return True
    if user.role == Role.SITE_MANAGER:
        return case.site_id is not None and case.site_id == user.site_id
    if user.role == Role.BACKOFFICE:
        return case.team is not None and case.team.department_id == user.department_id
    if case.team_id is None:
        return case.site_id == user.site_id
    return case.team_id == user.team_id


def may_perform(user: User, case: Case, action: str) -> bool:
    """Role rule for one workflow step (the status rule is the transition table's)."""
    if action in FRONT_OFFICE_ACTIONS:
        return may_take_contacts(user)
    if action in HANDLER_ACTIONS:
        # The handler or a supervisor; while nobody handles it, whoever answers it (front office).
        return (
            case.handler_id == user.pk
            or is_supervising(user)
            or (case.handler_id is None and may_take_contacts(user))
        )
    # escalate, messages: anyone who can see the case.
    return True


def ensure_may_see(actor: Actor, case: Case) -> None:
    """Staff must be able to see the case; system and automation actors are trusted."""
    if actor.is_staff and actor.user is not None and not can_see_case(actor.user, case):
        raise PermissionDenied("you may not work on this case")


def ensure_may_perform(actor: Actor, case: Case, action: str) -> None:
    """Staff must see the case and hold the role; system and automation actors are trusted."""
    if not actor.is_staff:
        return
    assert actor.user is not None
    ensure_may_see(actor, case)
    if not may_perform(actor.user, case, action):
        raise PermissionDenied(f"your role may not '{action}' this case")
