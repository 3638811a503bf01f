"""Writes for accounts: API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth import authenticate
from django.db import transaction

from kefu.accounts.models import ApiToken, User
from kefu.core import clock
from kefu.core.errors import PermissionDenied, ValidationFailed


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
