"""Bearer-token authentication and the endpoints that issue and revoke tokens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from kefu.accounts.actions import issue_api_token, revoke_api_token, user_for_api_token
from kefu.accounts.models import User
from kefu.api.errors import error_response
from kefu.api.schemas import ErrorOut
from kefu.core.errors import PermissionDenied


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; `request.auth` becomes the staff user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


def raw_token(request: HttpRequest) -> str:
    """The token the request was authenticated with."""
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def current_user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


class RevokeIn(Schema):
    token: str | None = None


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="Issue an API token",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> HttpResponse | dict[str, str]:
    """Exchange a username and password for a bearer token. The token is shown only once."""
    try:
        _token, raw = issue_api_token(
            username=payload.username, password=payload.password, name=payload.name[:100]
        )
    except PermissionDenied as exc:
        return error_response(401, "invalid_credentials", exc.message)
    return {"token": raw}


@router.delete("/token", response={204: None}, summary="Revoke the token in use")
def revoke_current(request: HttpRequest) -> Status[None]:
    revoke_api_token(raw_token(request), actor=current_user(request))
    return Status(204, None)


@router.post(
    "/revoke",
    response={204: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Revoke a token",
)
def revoke(request: HttpRequest, payload: RevokeIn | None = None) -> Status[None]:
    """Revoke one of your own tokens (`{"token": …}`), or the one in use without a body."""
    token = payload.token if payload is not None and payload.token else raw_token(request)
    revoke_api_token(token, actor=current_user(request))
    return Status(204, None)
