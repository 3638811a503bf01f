"""Every KEFU_* environment variable is read here, and only here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Config:
    """The environment, parsed once. Documented in README.md (Settings)."""

    database_url: str
    redis_url: str
    secret_key: str
    debug: bool
    demo: bool
    allowed_hosts: list[str]
    time_zone: str
    language: str
    host: str
    port: int
    data_dir: Path
    media_root: Path
    max_attachment_mb: int
    email_url: str
    email_from: str
    return_visit_days: int
    assist_send_policy: str
    tasks_db: Path
    public_url: str = ""
    mailbox_fetch_seconds: int = 60
    mailbox_stale_minutes: int = 30
    portal_link_minutes: int = 30
    portal_reopen_days: int = 7
    webform_per_hour: int = 5
    email_infer_kind: bool = True
    survey_frequency_days: int = 30
    survey_gateway: str = "file"

    @classmethod
    def from_environ(cls) -> Config:
        data_dir = Path(os.environ.get("KEFU_DATA_DIR") or BASE_DIR / "var")
        return cls(
            database_url=os.environ.get("KEFU_DATABASE_URL")
            or f"sqlite:///{data_dir / 'kefu.sqlite3'}",
            redis_url=os.environ.get("KEFU_REDIS_URL", ""),
            secret_key=os.environ.get("KEFU_SECRET_KEY", ""),
            debug=_flag("KEFU_DEBUG"),
            demo=_flag("KEFU_DEMO"),
            allowed_hosts=[
                h.strip()
                for h in os.environ.get("KEFU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                if h.strip()
            ],
            time_zone=os.environ.get("KEFU_TIME_ZONE", "Asia/Shanghai"),
            language=os.environ.get("KEFU_LANGUAGE", "zh-hans"),
            host=os.environ.get("KEFU_HOST", "127.0.0.1"),
            port=_int("KEFU_PORT", 8000),
            data_dir=data_dir,
            media_root=Path(os.environ.get("KEFU_MEDIA_ROOT") or data_dir / "media"),
            max_attachment_mb=_int("KEFU_MAX_ATTACHMENT_MB", 20),
            email_url=os.environ.get("KEFU_EMAIL_URL", ""),
            email_from=os.environ.get("KEFU_EMAIL_FROM", "Kefu 客服 <kefu@localhost>"),
            return_visit_days=_int("KEFU_RETURN_VISIT_DAYS", 3),
            # A reply with a forbidden phrase: "confirm" asks the agent, "block" refuses it.
            assist_send_policy=os.environ.get("KEFU_ASSIST_SEND_POLICY", "confirm").strip().lower(),
            # The embedded task queue (huey on SQLite) when KEFU_REDIS_URL is not set.
            tasks_db=Path(os.environ.get("KEFU_TASKS_DB") or data_dir / "tasks.sqlite3"),
            # Channels: links in outgoing mail, mailbox polling and the customer portal.
            public_url=os.environ.get("KEFU_PUBLIC_URL", "").rstrip("/"),
            mailbox_fetch_seconds=_int("KEFU_MAILBOX_FETCH_SECONDS", 60),
            mailbox_stale_minutes=_int("KEFU_MAILBOX_STALE_MINUTES", 30),
            portal_link_minutes=_int("KEFU_PORTAL_LINK_MINUTES", 30),
            portal_reopen_days=_int("KEFU_PORTAL_REOPEN_DAYS", 7),
            webform_per_hour=_int("KEFU_WEBFORM_PER_HOUR", 5),
            email_infer_kind=_flag("KEFU_EMAIL_INFER_KIND", True),
            # Surveys: nobody is asked twice within N days; the SMS/WeChat gateway.
            survey_frequency_days=_int("KEFU_SURVEY_FREQUENCY_DAYS", 30),
            survey_gateway=os.environ.get("KEFU_SURVEY_GATEWAY", "file").strip().lower(),
        )


config = Config.from_environ()


def mailers_from_url(url: str, data_dir: Path) -> dict[str, dict[str, object]]:
    """Django's MAILERS from KEFU_EMAIL_URL.

    ""                      outgoing mail written to files under KEFU_DATA_DIR/mail (demo)
    "console:"              printed to the console
    "smtp://u:p@host:25"    SMTP; "smtp+tls://" STARTTLS; "smtps://" implicit TLS
    """
    from urllib.parse import unquote, urlsplit

    if not url:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(data_dir / "mail")},
            }
        }
    if url.startswith("console:"):
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ValueError(f"KEFU_EMAIL_URL: unknown scheme {parts.scheme!r}")
    options: dict[str, object] = {
        "host": parts.hostname or "localhost",
        "port": parts.port or (465 if parts.scheme == "smtps" else 25),
        "use_tls": parts.scheme == "smtp+tls",
        "use_ssl": parts.scheme == "smtps",
        "timeout": 30,
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }
