"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.db import connection


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def ram_gib() -> float:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            cur.execute("SHOW shared_buffers")
            buffers = cur.fetchone()[0]
        return f"PostgreSQL {version} (shared_buffers {buffers})"
    return f"SQLite {sqlite3.sqlite_version}"


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    ram_gib: float
    os: str
    python: str
    database: str
    load: str

    @classmethod
    def describe(cls) -> Machine:
        try:
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        except OSError:
            load = "–"
        return cls(
            cpu=cpu_model(),
            cores=os.cpu_count() or 0,
            ram_gib=ram_gib(),
            os=platform.platform(terse=True),
            python=platform.python_version(),
            database=database_version(),
            load=load,
        )
