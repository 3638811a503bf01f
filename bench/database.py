"""The benchmark's own database: chosen, (re)created, and handed to Django and gunicorn."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psycopg

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kefu_bench"


def database_url() -> str:
    return os.environ.get("KEFU_BENCH_DATABASE_URL") or DEFAULT_URL


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    return Path(dj_database_url.parse(url)["NAME"])


def recreate(url: str) -> None:
    """Drop and create the benchmark database. Everything in it is lost, by design."""
    if is_sqlite(url):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to recreate database with an unusual name: {name!r}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # Chinese search needs a UTF-8 ctype (docs/adr/0003-search.md).
        conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
        )


def configure_environment(url: str) -> dict[str, str]:
    """Point this process (and the gunicorn children) at the benchmark database.

    Runs before Django is set up. Production settings: no debug, a random secret key.
    """
    os.environ["KEFU_DATABASE_URL"] = url
    os.environ.setdefault("KEFU_SECRET_KEY", secrets.token_urlsafe(48))
    # The task queue's file and media stay apart from a development install's.
    os.environ.setdefault(
        "KEFU_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench")
    )
    os.environ.pop("KEFU_DEBUG", None)
    os.environ.pop("KEFU_DEMO", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    return {k: os.environ[k] for k in ("KEFU_DATABASE_URL", "KEFU_SECRET_KEY")}
