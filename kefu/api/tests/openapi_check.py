"""Check API responses against the generated OpenAPI document (as Zulip does)."""

from __future__ import annotations

import functools
import re
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from kefu.api.api import api as ninja_api


@functools.cache
def openapi() -> dict[str, Any]:
    return dict(ninja_api.get_openapi_schema())


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in openapi()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template))
    return routes


def route_of(path: str) -> str | None:
    return next((t for rx, t in _routes() if rx.match(path)), None)


def response_schema(template: str, method: str, status: int) -> dict[str, Any] | None:
    operation = openapi()["paths"][template].get(method.lower())
    if operation is None:
        return None
    responses = operation["responses"]
    documented = responses.get(status) or responses.get(str(status))
    if documented is None:
        return None
    content = documented.get("content", {}).get("application/json")
    return content["schema"] if content else None


def validate(path: str, method: str, status: int, body: Any) -> bool:
    """Validate `body`; False when the route or status is not documented (nothing checked)."""
    template = route_of(path)
    if template is None:
        return False
    schema = response_schema(template, method, status)
    if schema is None:
        return False
    document = openapi()
    registry: Registry = Registry().with_resource("urn:kefu-openapi", Resource.opaque(document))
    rooted = {**schema, "$id": "urn:kefu-openapi-operation"}
    rooted = _reroot(rooted)
    Draft202012Validator(rooted, registry=registry).validate(body)
    return True


def _reroot(node: Any) -> Any:
    """Point local refs (#/components/...) at the stored document."""
    if isinstance(node, dict):
        return {
            k: ("urn:kefu-openapi" + v if k == "$ref" and v.startswith("#/") else _reroot(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_reroot(v) for v in node]
    return node
