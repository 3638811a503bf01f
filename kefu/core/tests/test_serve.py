"""`python -m kefu serve` for real: gunicorn and a huey worker answer, then stop cleanly."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.config import BASE_DIR

pytestmark = pytest.mark.worker

READY = 90  # seconds; the machine is small and shared
# The first request imports the whole URLconf (seconds without a bytecode cache).
REQUEST_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh data directory, migrated, with a tiny demo load."""
    data = tmp_path_factory.mktemp("serve")
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "KEFU_DATA_DIR": str(data),
        "KEFU_TASKS_DB": str(data / "tasks.sqlite3"),
        "KEFU_DEMO": "1",
        # DEBUG serves static files without collectstatic (make run collects them).
        "KEFU_DEBUG": "1",
    }
    # Its own SQLite database and queue: never the suite's PostgreSQL or Redis.
    environ.pop("KEFU_DATABASE_URL", None)
    environ.pop("KEFU_REDIS_URL", None)
    for argv in (
        ["migrate", "--no-input", "-v0"],
        ["load_demo", "--cases", "3", "--customers", "5", "--no-progress"],
    ):
        subprocess.run(
            [sys.executable, "-m", "kefu", *argv], cwd=BASE_DIR, env=environ, check=True,
            capture_output=True, timeout=180,
        )  # fmt: skip
    return environ


class Served:
    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.port = _free_port()
        self.log = tmp_path / "serve.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kefu", "serve", "--port", str(self.port), "--workers", "1"],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}/"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY
        while f"Kefu is running at {self.url}" not in self.output():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)

    def pids(self) -> dict[str, int]:
        return {
            m[0]: int(m[1]) for m in re.findall(r"^(web|worker) \(\w+\): pid (\d+)$",
                                                self.output(), re.M)
        }  # fmt: skip

    def wait_exit(self, timeout: float = 45) -> int:
        return self.process.wait(timeout=timeout)


@pytest.fixture
def served(env: dict[str, str], tmp_path: Path) -> Iterator[Served]:
    s = Served(env, tmp_path)
    yield s
    if s.process.poll() is None:
        s.process.kill()
        s.process.wait()
    for pid in s.pids().values():
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_serve_answers_http_shows_the_demo_logins_and_stops_cleanly(served: Served):
    # given serve started on a free port
    served.wait_ready()
    pids = served.pids()
    assert set(pids) == {"web", "worker"}
    # then it answers HTTP with the admin login page
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(served.url + "admin/login/", timeout=REQUEST_TIMEOUT) as response:
        assert response.status == 200
        page = response.read().decode()
    # and it printed the demo logins
    for login in ("admin", "manager", "supervisor", "agent", "backoffice"):
        assert re.search(rf"^  {login} ", served.output(), re.M)
    # and the demo admin signs in to the Django admin
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token[1],
            "username": "admin",
            "password": "kefu-demo",
            "next": "/admin/",
        }
    ).encode()
    with opener.open(
        served.url + "admin/login/?next=/admin/", form, timeout=REQUEST_TIMEOUT
    ) as response:
        assert response.status == 200
        assert response.url == served.url + "admin/"
    # when it gets SIGTERM
    served.process.send_signal(signal.SIGTERM)
    # then it stops both children and exits 0, in bounded time
    assert served.wait_exit() == 0
    assert all(_gone(pid) for pid in pids.values())
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", served.port), timeout=1).close()


def test_serve_stops_when_a_child_dies(served: Served):
    # given serve running
    served.wait_ready()
    pids = served.pids()
    # when the worker dies
    os.kill(pids["worker"], signal.SIGKILL)
    # then serve stops the web server too and exits with an error
    assert served.wait_exit() != 0
    assert "worker (huey) exited" in served.output()
    assert _gone(pids["web"])
