"""An API client per role: `api(org.agent).post("/cases", {...})`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kefu.accounts.actions import issue_api_token
from kefu.accounts.models import User

PREFIX = "/api/v1"


class Api:
    """Talks JSON to /api/v1 with one user's bearer token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, raw = issue_api_token(username=user.username, password="kefu-test")
            self.token = raw
            self.headers["Authorization"] = f"Bearer {raw}"

    def _url(self, path: str) -> str:
        return path if path.startswith(PREFIX) else PREFIX + path

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(self._url(path), params or {}, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(
            self._url(path), data, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            self._url(path),
            json.dumps(body),
            content_type="application/json",
            headers=self.headers,
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(self._url(path), headers=self.headers)

    def upload(self, path: str, files: dict[str, Any]) -> Any:
        return self.client.post(self._url(path), files, headers=self.headers)


@pytest.fixture
def api(db) -> Callable[[User | None], Api]:
    return Api


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]
