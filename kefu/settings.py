"""Django settings. Values come from kefu.config (the environment), never from here."""

from __future__ import annotations

import os
import sys

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kefu.config import BASE_DIR, config, mailers_from_url

TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
DEBUG = config.debug

if config.secret_key:
    SECRET_KEY = config.secret_key
elif config.debug or config.demo or TESTING:
    SECRET_KEY = "kefu-insecure-demo-key-do-not-use-in-production"
else:
    raise ImproperlyConfigured(
        "KEFU_SECRET_KEY is not set. Set it (a long random string) or run with "
        "KEFU_DEMO=1 / KEFU_DEBUG=1 for a demo."
    )

ALLOWED_HOSTS = config.allowed_hosts + (["testserver"] if TESTING else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "kefu.core",
    "kefu.accounts",
    "kefu.customers",
    "kefu.cases",
    "kefu.sla",
    "kefu.assist",
    "kefu.crm",
    "kefu.surveys",
    "kefu.channels",
    "kefu.web",
    "kefu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kefu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
            ],
        },
    },
]

(config.data_dir / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(config.database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file (not shared-cache memory) so that concurrency tests queue on real locks.
    DATABASES["default"]["TEST"] = {"NAME": str(config.data_dir / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue on busy_timeout
        # instead of failing mid-transaction ("database is locked" on upgrade).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Chinese search needs a UTF-8 ctype (see docs/adr/0003-search.md).
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = config.language
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kefu" / "locale"]
TIME_ZONE = config.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = config.data_dir / "static"
STATICFILES_DIRS = [BASE_DIR / "kefu" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING or DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = config.media_root
KEFU_RETURN_VISIT_DAYS = config.return_visit_days
KEFU_MAX_ATTACHMENT_BYTES = config.max_attachment_mb * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = KEFU_MAX_ATTACHMENT_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

MAILERS = mailers_from_url(config.email_url, config.data_dir)
DEFAULT_FROM_EMAIL = config.email_from
# Channels (kefu.channels): email in and out, the customer portal.
KEFU_PUBLIC_URL = config.public_url or f"http://{config.host}:{config.port}"
KEFU_MAILBOX_FETCH_SECONDS = config.mailbox_fetch_seconds
KEFU_MAILBOX_STALE_MINUTES = config.mailbox_stale_minutes
KEFU_PORTAL_LINK_MINUTES = config.portal_link_minutes
KEFU_PORTAL_REOPEN_DAYS = config.portal_reopen_days
KEFU_WEBFORM_PER_HOUR = config.webform_per_hour
KEFU_EMAIL_INFER_KIND = config.email_infer_kind
# Surveys (kefu.surveys): frequency cap, and the gateway for SMS/WeChat links (file, console).
KEFU_SURVEY_FREQUENCY_DAYS = config.survey_frequency_days
KEFU_SURVEY_GATEWAY = config.survey_gateway
KEFU_SURVEY_OUTBOX_DIR = config.data_dir / "outbox"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The cache (rate limits, short-lived lookups) is shared by every web process and worker
# through Redis when KEFU_REDIS_URL is set; the embedded default keeps it in the process.
if config.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": config.redis_url,
            "KEY_PREFIX": "kefu",
        }
    }

# The task queue: huey on embedded SQLite storage by default, Redis when KEFU_REDIS_URL is set.
if config.redis_url:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kefu",
        "url": config.redis_url,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kefu",
        "filename": str(config.tasks_db),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Tests run tasks inline unless a test starts a real worker (see kefu/core/tests).
HUEY["immediate"] = TESTING and not config.redis_url
NINJA_PAGINATION_PER_PAGE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # huey's consumer adds its own handler: without propagate=False every line prints twice.
    "loggers": {"kefu": {"level": "INFO"}, "huey": {"level": "INFO", "propagate": False}},
}
