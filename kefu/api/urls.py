"""/api/v1/: an index, the ninja API, then a JSON 404 for every path it does not answer."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path

from kefu.api.api import api
from kefu.api.errors import error_response, route_not_found


def index(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            "name": api.title,
            "version": api.version,
            "openapi": request.build_absolute_uri("openapi.json"),
            "docs": request.build_absolute_uri("docs"),
        }
    )


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a plain-text 405; clients get the JSON error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",")))
            json = error_response(
                405, "method_not_allowed", f"{request.method} is not allowed here; use {allowed}"
            )
            json["Allow"] = allowed
            return json
        return response

    return wrapper


def _api_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app, _namespace = api.urls
    return [
        URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]


urlpatterns = [
    path("", index),
    path("", (_api_patterns(), "ninja", api.urls_namespace)),
    re_path(r"^.*$", route_not_found),
]
