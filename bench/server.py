"""A real production server for the API figures: gunicorn on a free loopback port."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import Any

from kefu.config import BASE_DIR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn kefu.wsgi with `workers` sync workers, started and stopped around a block."""

    def __init__(self, workers: int = 4, timeout: float = 60) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = dict(os.environ)
        env["KEFU_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        env.pop("KEFU_DEBUG", None)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "kefu.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers),
                "--preload",
                "--log-level", "warning",
                "--timeout", "120",
            ],
            cwd=BASE_DIR,
            env=env,
        )  # fmt: skip
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            try:
                ApiClient(self.base_url).get("/api/v1/")  # any answer will do
            except OSError:
                time.sleep(0.2)
                continue
            return
        raise RuntimeError(f"gunicorn did not answer on {self.base_url} in {self.timeout:.0f} s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class ApiClient:
    """JSON over http.client: one connection per request (gunicorn sync workers close it)."""

    def __init__(self, base_url: str) -> None:
        host, _, port = base_url.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)

    def request(self, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw[:200].decode(errors="replace")

    def get(self, path: str, token: str = "") -> tuple[int, Any]:
        return self.request("GET", path, token=token)

    def post(self, path: str, body: Any, token: str = "") -> tuple[int, Any]:
        return self.request("POST", path, body, token)

    def token(self, username: str, password: str) -> str:
        status, body = self.post(
            "/api/v1/auth/token", {"username": username, "password": password, "name": "bench"}
        )
        if status != 200 or not isinstance(body, dict) or "token" not in body:
            raise RuntimeError(f"POST /api/v1/auth/token answered {status}: {body}")
        return str(body["token"])
