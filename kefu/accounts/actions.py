"""Writes for accounts: API tokens; sites, departments, teams and staff (configuration)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model

from kefu.accounts.actors import Actor, ActorKind
from kefu.accounts.audit import changed_fields, record_configuration_event
from kefu.accounts.choices import Role
from kefu.accounts.models import ApiToken, Department, Site, Team, User
from kefu.core import clock
from kefu.core.errors import NotFound, PermissionDenied, ValidationFailed


@transaction.atomic
def issue_api_token(*, username: str, password: str, name: str = "") -> tuple[ApiToken, str]:
    """Check the credentials and return (token row, raw token). The raw token is shown once."""
    if not username or not password:
        raise ValidationFailed(
            "username and password are required",
            fields={
                k: "required" for k, v in (("username", username), ("password", password)) if not v
            },
        )
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise PermissionDenied("invalid username or password")
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(raw), name=name, created_at=clock.now()
    )
    return token, raw


def user_for_api_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__team", "user__site")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None


@transaction.atomic
def revoke_api_token(raw: str, *, actor: User) -> None:
    updated = ApiToken.objects.filter(
        digest=ApiToken.digest_of(raw), user=actor, revoked_at__isnull=True
    ).update(revoked_at=clock.now())
    if not updated:
        raise ValidationFailed("token is not active", fields={"token": "not active"})


# -- configuration: sites, departments, teams, staff ---------------------------------------
# Administrators (or the system) only. Each save is checked by the model's own rules and the
# checks below, written, and recorded as a ConfigurationEvent (created, or changed with the
# changed fields' before and after) in the same transaction. Nothing here deletes: users,
# cases and surveys refer to these rows (PROTECT), so a row is kept (a user deactivated).

SITE_FIELDS = ["code", "name", "kind", "first_responsible_id", "reply_check_policy"]
DEPARTMENT_FIELDS = ["code", "name", "side"]
TEAM_FIELDS = ["code", "name", "site_id", "department_id", "supervisor_id"]
# What the admin's staff form edits (the password has its own form and is never recorded).
STAFF_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "display_name",
    "role",
    "team_id",
    "site_id",
    "department_id",
]

Check = Callable[[Any, dict[str, Any] | None, Actor], None]


def is_administrator(user: User) -> bool:
    return user.is_active and (user.role == Role.ADMIN or user.is_superuser)


def ensure_administrator(actor: Actor, what: str) -> None:
    if actor.kind == ActorKind.SYSTEM:
        return
    if not (actor.is_staff and actor.user is not None and is_administrator(actor.user)):
        raise PermissionDenied(f"only administrators configure {what}")


def validate_row(row: Model) -> None:
    """The model's own rules (lengths, choices, slugs, uniqueness, existing references)."""
    try:
        row.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "invalid configuration",
            fields={f: " ".join(str(m) for m in msgs) for f, msgs in exc.message_dict.items()},
        ) from exc


def stored_values(model: type[Model], row_id: Any, fields: list[str]) -> dict[str, Any] | None:
    return model._default_manager.filter(pk=row_id).values(*fields).first()


def save_configured[M: Model](
    model: type[M],
    *,
    actor: Actor,
    fields: list[str],
    values: dict[str, Any],
    row_id: Any = None,
    check: Check | None = None,
    prepare: Callable[[M], None] | None = None,
    created_data: dict[str, Any] | None = None,
) -> M:
    """Create (row_id None) or change one configuration row and record it. Only `fields` are
    taken from `values`; saving an unchanged row records nothing."""
    with transaction.atomic():
        before: dict[str, Any] | None = None
        if row_id is None:
            row = model()
        else:
            found = model._default_manager.select_for_update().filter(pk=row_id).first()
            if found is None:
                raise NotFound(f"{model._meta.model_name} not found")
            row = found
            before = {f: getattr(row, f) for f in fields}
        for name in fields:
            if name in values:
                setattr(row, name, values[name])
        if prepare is not None:
            prepare(row)
        if check is not None:
            check(row, before, actor)
        validate_row(row)
        if before is None:
            row.save()
            after = {f: getattr(row, f) for f in fields}
            record_configuration_event(
                row, "created", actor=actor, after=after, **(created_data or {})
            )
            return row
        change = changed_fields(row, before, fields)
        if change["before"]:
            row.save(update_fields=list(change["before"]))
            record_configuration_event(row, "changed", actor=actor, **change)
    return row


def check_code_kept(row: Any, before: dict[str, Any] | None) -> None:
    if before is not None and before.get("code") not in (None, row.code):
        raise ValidationFailed(
            "the code does not change", fields={"code": "fixed once created; add a new one"}
        )


def _active_user(user_id: int | None, field: str) -> None:
    if user_id is not None and not User.objects.filter(pk=user_id, is_active=True).exists():
        raise ValidationFailed("inactive user", fields={field: "not an active member of staff"})


def check_site(row: Site, before: dict[str, Any] | None, actor: Actor) -> None:
    check_code_kept(row, before)
    _active_user(row.first_responsible_id, "first_responsible")


def check_department(row: Department, before: dict[str, Any] | None, actor: Actor) -> None:
    check_code_kept(row, before)


def check_team(row: Team, before: dict[str, Any] | None, actor: Actor) -> None:
    check_code_kept(row, before)
    _active_user(row.supervisor_id, "supervisor")


def check_staff_user(row: User, before: dict[str, Any] | None, actor: Actor) -> None:
    """An administrator does not lock themselves out of the configuration."""
    own = actor.user is not None and row.pk is not None and row.pk == actor.user.pk
    if own and not (is_administrator(row) and row.is_staff):
        raise ValidationFailed(
            "administrators keep their own rights",
            fields={"role": "you cannot remove your own administration rights"},
        )


def save_site(*, actor: Actor, values: dict[str, Any], site_id: int | None = None) -> Site:
    ensure_administrator(actor, "sites")
    return save_configured(
        Site, actor=actor, fields=SITE_FIELDS, values=values, row_id=site_id, check=check_site
    )


def save_department(
    *, actor: Actor, values: dict[str, Any], department_id: int | None = None
) -> Department:
    ensure_administrator(actor, "departments")
    return save_configured(
        Department,
        actor=actor,
        fields=DEPARTMENT_FIELDS,
        values=values,
        row_id=department_id,
        check=check_department,
    )


def save_team(*, actor: Actor, values: dict[str, Any], team_id: int | None = None) -> Team:
    ensure_administrator(actor, "teams")
    return save_configured(
        Team, actor=actor, fields=TEAM_FIELDS, values=values, row_id=team_id, check=check_team
    )


def save_staff_user(
    *,
    actor: Actor,
    values: dict[str, Any],
    user_id: int | None = None,
    password: str | None = None,
    groups: list[int] | None = None,
    permissions: list[int] | None = None,
) -> User:
    """Create a member of staff (with `password`, or none usable) or change the admin form's
    fields of one. Groups and permissions, when given, are set and recorded by name. The
    record says whether a password was set, never the password or its hash."""
    ensure_administrator(actor, "staff")

    def prepare(user: User) -> None:
        if user_id is None:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()

    with transaction.atomic():
        user = save_configured(
            User,
            actor=actor,
            fields=STAFF_FIELDS,
            values=values,
            row_id=user_id,
            check=check_staff_user,
            prepare=prepare,
            created_data={"password_set": bool(password)},
        )
        _set_access(user, actor=actor, groups=groups, permissions=permissions)
    return user


def _set_access(
    user: User, *, actor: Actor, groups: list[int] | None, permissions: list[int] | None
) -> None:
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for name, ids, related in (
        ("groups", groups, user.groups),
        ("user_permissions", permissions, user.user_permissions),
    ):
        if ids is None:
            continue
        old = sorted(str(o) for o in related.all())
        related.set(ids)
        new = sorted(str(o) for o in related.all())
        if old != new:
            before[name], after[name] = old, new
    if after:
        record_configuration_event(user, "access_changed", actor=actor, before=before, after=after)


def record_password_change(*, actor: Actor, user_id: int) -> None:
    """Django's password form changed a staff password: record that it changed (whether the
    password is now usable), never the value or its hash."""
    ensure_administrator(actor, "staff")
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("user not found")
    record_configuration_event(
        user, "password_changed", actor=actor, usable=user.has_usable_password()
    )
