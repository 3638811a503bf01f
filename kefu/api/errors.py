"""One error shape for every API failure: {"error": {"code", "message", "fields"}}.

Domain errors (kefu.core.errors) map to HTTP statuses here and nowhere else.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kefu.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)

logger = logging.getLogger("kefu.api")

DOMAIN_STATUS: list[tuple[type[DomainError], int]] = [
    (ValidationFailed, 422),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),  # StaleVersion and TransitionNotAllowed are Conflicts
]

# Where ninja puts a value it could not read; the client only needs the field path.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def error_body(
    code: str, message: str, fields: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def error_response(
    status: int, code: str, message: str, fields: dict[str, str] | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse(
        error_body(code, message, fields, **extra),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def domain_error_response(exc: DomainError) -> JsonResponse:
    status = next((s for cls, s in DOMAIN_STATUS if isinstance(exc, cls)), 400)
    if isinstance(exc, TransitionNotAllowed):
        allowed = ", ".join(exc.allowed) or "none"
        return error_response(
            status, exc.code, exc.message, {**exc.fields, "allowed": allowed}, allowed=exc.allowed
        )
    return error_response(status, exc.code, exc.message, exc.fields)


def _field_path(loc: list[Any] | tuple[Any, ...], body_params: set[str]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        # A JSON body is read into one named parameter ("payload"); clients never see it.
        if source == "body" and len(parts) > 1 and parts[0] in body_params:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or "body"


def validation_error_response(exc: NinjaValidationError) -> JsonResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        path = _field_path(err.get("loc", ()), {"payload"})
        fields.setdefault(path, err.get("msg", "invalid"))
    names = ", ".join(fields)
    return error_response(422, "validation_failed", f"invalid input: {names}", fields)


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API; the most specific class wins."""

    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return domain_error_response(exc)

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return validation_error_response(exc)

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            401, "unauthenticated", "a valid token is required (Authorization: Bearer <token>)"
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            return error_response(400, "malformed_request", str(exc))
        return error_response(exc.status_code, f"http_{exc.status_code}", str(exc))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "not_found", "not found")

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "request_too_large", "the request body is too large")

    def on_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return error_response(400, "malformed_request", f"the multipart body cannot be read: {exc}")

    def on_out_of_range(request: HttpRequest, exc: OverflowError | DataError) -> HttpResponse:
        # A number beyond what the database stores (SQLite: 64 bits), a text longer than its
        # column: nothing was written (the statement failed inside its transaction).
        logger.info("value out of range on %s %s: %s", request.method, request.path, exc)
        return error_response(422, "out_of_range", "a value in the request is out of range")

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unexpected API error on %s %s", request.method, request.path)
        return error_response(500, "server_error", "internal error")

    # ninja's annotation types the handler's argument as "exc | type[exc]"; it passes exc.
    api.add_exception_handler(DomainError, on_domain)  # type: ignore[arg-type]
    api.add_exception_handler(NinjaValidationError, on_validation)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, on_auth)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, on_404)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, on_too_big)  # type: ignore[arg-type]
    api.add_exception_handler(MultiPartParserError, on_multipart)  # type: ignore[arg-type]
    api.add_exception_handler(OverflowError, on_out_of_range)  # type: ignore[arg-type]
    api.add_exception_handler(DataError, on_out_of_range)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, on_unexpected)  # type: ignore[arg-type]


@csrf_exempt  # it changes nothing; a POST to a wrong path is a JSON 404, not the CSRF page
def route_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any /api/v1/ path no endpoint answers."""
    return error_response(404, "not_found", f"no API endpoint at {request.path}")
