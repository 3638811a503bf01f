"""An API client per role: `api(org.agent).post("/cases", {...})`.

Every JSON answer is checked against the generated OpenAPI document for its status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from kefu.accounts.actions import issue_api_token
from kefu.accounts.models import User
from kefu.api.tests import openapi_check

PREFIX = "/api/v1"


class Api:
    """Talks JSON to /api/v1 with one user's bearer token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        self.checked = 0
        self.token = ""
        if user is not None:
            _token, raw = issue_api_token(username=user.username, password="kefu-test")
            self.token = raw
            self.headers["Authorization"] = f"Bearer {raw}"

    def _url(self, path: str) -> str:
        return path if path.startswith(PREFIX) else PREFIX + path

    def _checked(self, method: str, path: str, response: Any) -> Any:
        """Every documented JSON answer must match the OpenAPI document."""
        if response.get("Content-Type", "").startswith("application/json") and response.content:
            body = response.json()
            if openapi_check.validate(self._url(path), method, response.status_code, body):
                self.checked += 1
        return response

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self.client.get(self._url(path), params or {}, headers=self.headers)
        return self._checked("get", path, response)

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        response = self.client.post(
            self._url(path), data, content_type="application/json", headers=self.headers
        )
        return self._checked("post", path, response)

    def patch(self, path: str, body: Any) -> Any:
        response = self.client.patch(
            self._url(path), json.dumps(body), content_type="application/json", headers=self.headers
        )
        return self._checked("patch", path, response)

    def delete(self, path: str) -> Any:
        response = self.client.delete(self._url(path), headers=self.headers)
        return self._checked("delete", path, response)

    def upload(self, path: str, files: dict[str, Any]) -> Any:
        response = self.client.post(self._url(path), files, headers=self.headers)
        return self._checked("post", path, response)


@pytest.fixture
def api(db) -> Callable[[User | None], Api]:
    return Api


def error_of(response: Any) -> dict[str, Any]:
    """The error object, after checking the envelope is exactly {"error": {...}}."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


@pytest.fixture
def wsgi_app(db: Any) -> Iterator[Any]:
    """The WSGI application as a server runs it (not Django's test client, which parses some
    requests its own way), inside the test's transaction: as the test client does, the
    connection is not closed at the end of each request."""
    from django.core import signals
    from django.db import close_old_connections

    from kefu.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
