"""`python -m kefu serve`: the web app (gunicorn) and a task worker (huey) as child processes.

Prints the URL, and the demo logins when the demo data is loaded. SIGINT or SIGTERM stops
both children gracefully (gunicorn gets SIGTERM, huey SIGINT: both finish what they are
doing); a second signal stops them at once. If either child dies, the other is stopped and
serve exits with an error.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from kefu.config import BASE_DIR, config

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


@dataclass
class Child:
    name: str
    argv: list[str]
    graceful: signal.Signals
    immediate: signal.Signals
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, sig: signal.Signals) -> None:
        if self.alive():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)


def _die_with_parent() -> None:
    """In the child: get SIGTERM if serve itself dies (Linux), so no orphan keeps the port."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _accepts_connections(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    with contextlib.suppress(OSError), socket.create_connection((target, port), timeout=0.5):
        return True
    return False


class Command(BaseCommand):
    help = "Start the web app (gunicorn) and a background worker (huey consumer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=config.host, help="default: KEFU_HOST")
        parser.add_argument("--port", type=int, default=config.port, help="default: KEFU_PORT")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per web worker")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="web only (when task workers run elsewhere: make worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if _accepts_connections(host, port):
            raise CommandError(f"port {port} on {host} is already in use (set KEFU_PORT)")
        children = [self._web(host, port, options["workers"], options["threads"])]
        if not options["no_worker"]:
            children.append(self._worker())
        stop: list[int] = []

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            stop.append(signum)

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in children:
                child.process = subprocess.Popen(
                    child.argv, cwd=BASE_DIR, start_new_session=True, preexec_fn=_die_with_parent
                )
                self._say(f"{child.name}: pid {child.pid}")
            self._supervise(children, stop, host, port)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop(children, stop)

    # --- the children -------------------------------------------------------------------

    def _web(self, host: str, port: int, workers: int, threads: int) -> Child:
        argv = [
            sys.executable, "-m", "gunicorn", "kefu.wsgi:application",
            "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "--workers", str(workers),
            "--threads", str(threads),
            "--worker-class", "gthread",
            "--graceful-timeout", str(int(STOP_TIMEOUT) - 5),
            "--timeout", "60",
            "--access-logfile", "-",
            "--no-control-socket",
        ]  # fmt: skip
        return Child("web (gunicorn)", argv, signal.SIGTERM, signal.SIGINT)

    def _worker(self) -> Child:
        # serve has run the system checks once; the worker need not repeat them. Quiet: only
        # warnings and errors (every periodic task run would otherwise log three lines).
        argv = [sys.executable, "-m", "kefu", "run_huey", "--skip-checks", "--quiet"]
        return Child("worker (huey)", argv, signal.SIGINT, signal.SIGTERM)

    # --- running and stopping -----------------------------------------------------------

    def _supervise(self, children: list[Child], stop: list[int], host: str, port: int) -> None:
        announced = False
        started = time.monotonic()
        while not stop:
            dead = [c for c in children if not c.alive()]
            if dead:
                child = dead[0]
                assert child.process is not None
                code = child.process.returncode
                raise CommandError(
                    f"{child.name} exited with code {code}; stopping", returncode=code or 1
                )
            if not announced and _accepts_connections(host, port):
                self._announce(host, port)
                announced = True
            elif not announced and time.monotonic() - started > READY_TIMEOUT:
                raise CommandError(f"the web server did not start within {READY_TIMEOUT:.0f} s")
            time.sleep(0.2)

    def _stop(self, children: list[Child], stop: list[int]) -> None:
        running = [c for c in children if c.alive()]
        if not running:
            return
        self._say("Stopping…")
        for child in running:
            child.send(child.graceful)
        deadline = time.monotonic() + STOP_TIMEOUT
        urged = len(stop)
        while any(c.alive() for c in running) and time.monotonic() < deadline:
            if len(stop) > urged:  # asked again: stop now
                urged = len(stop)
                for child in running:
                    child.send(child.immediate)
            time.sleep(0.1)
        for child in running:
            if child.alive():
                assert child.process is not None
                child.process.kill()
            if child.process is not None:
                child.process.wait()
        self._say("Stopped.")

    def _announce(self, host: str, port: int) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        shown = f"[{shown}]" if ":" in shown else shown
        self._say(self.style.SUCCESS(f"Kefu is running at http://{shown}:{port}/"))
        for line in self._banner_lines():
            self._say(line)
        self._say("Press Ctrl+C to stop.")

    def _say(self, line: str) -> None:
        # Flushed at once: under make or a supervisor stdout is a pipe, not a terminal.
        self.stdout.write(line)
        self.stdout.flush()

    def _banner_lines(self) -> list[str]:
        """Lines any installed app adds below the URL (the demo app: its logins).

        An app opts in with a `serve_banner()` method on its AppConfig, so core needs no
        import of the apps above it.
        """
        lines: list[str] = []
        for app_config in apps.get_app_configs():
            banner = getattr(app_config, "serve_banner", None)
            if callable(banner):
                with contextlib.suppress(DatabaseError):  # not migrated yet
                    lines += banner()
        return lines
