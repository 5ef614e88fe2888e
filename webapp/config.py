"""Configuration, read only from environment variables."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105  (refused in production)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _positive_int(name: str, default: int) -> int:
    value = int(os.environ.get(name, "").strip() or default)
    if value < 1:
        raise ValueError(f"{name} must be a whole number of seconds, at least 1")
    return value


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'leadkeeper.sqlite3'}"
    # Heroku-style and bare postgres URLs go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _engine_options(url: str) -> dict:
    # pool_pre_ping: a connection the server dropped (a restart, an outage) is replaced
    # on checkout, so the app recovers by itself when the database is back.
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        # A server that does not answer (a dropped route, a hung host) fails the request
        # with a 503 in seconds, rather than after the OS's TCP timeout of minutes.
        seconds = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
        options["connect_args"] = {"connect_timeout": seconds}
    return options


class Config:
    """Settings for one app instance; every value comes from the environment."""

    def __init__(self, instance_path: str | Path) -> None:
        instance_path = Path(instance_path)
        self.APP_ENV = os.environ.get("APP_ENV", "production").strip().lower()
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or DEFAULT_SECRET_KEY
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
        self.BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.REDIS_URL = os.environ.get("REDIS_URL", "").strip() or None

        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_STRATEGY = "moving-window"
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # Off: the headers cost a storage round trip on every response, public capture
        # included. The API adds X-RateLimit-* itself; every 429 carries Retry-After.
        self.RATELIMIT_HEADERS_ENABLED = False
        # How long a web request waits on Redis before it carries on without it (the
        # rate limit falls back to memory, events wait for the periodic relay).
        self.REDIS_REQUEST_TIMEOUT = float(os.environ.get("REDIS_REQUEST_TIMEOUT", "0.5"))
        self.RATELIMIT_STORAGE_OPTIONS = (
            {
                "socket_connect_timeout": self.REDIS_REQUEST_TIMEOUT,
                "socket_timeout": self.REDIS_REQUEST_TIMEOUT,
            }
            if self.REDIS_URL
            else {}
        )
        self.CAPTURE_RATE_LIMIT = int(os.environ.get("CAPTURE_RATE_LIMIT", "10"))
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per 15 minutes")
        self.SMTP_URL = os.environ.get("SMTP_URL", "").strip() or None
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "Leadkeeper <leadkeeper@localhost>")
        self.WEBHOOKS_ALLOW_PRIVATE = _bool("WEBHOOKS_ALLOW_PRIVATE")
        # The sandbox provider under /sandbox (fake data APIs, no login): `make run` and tests.
        self.SANDBOX_PROVIDERS = _bool("SANDBOX_PROVIDERS")
        # Providers, Slack and platforms on a private network may be called (checked per call).
        self.PROVIDERS_ALLOW_PRIVATE = _bool("PROVIDERS_ALLOW_PRIVATE")
        self.API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")  # per token

        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))
        # CSV/.xlsx uploads on /imports and POST /api/v1/imports (a larger file is a 413).
        self.IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
        self.WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
        self.WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]

        secure = self.BASE_URL.startswith("https://") or _bool("SESSION_COOKIE_SECURE")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = secure
        self.PREFERRED_URL_SCHEME = "https" if secure else "http"
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)

        self.TESTING = self.APP_ENV == "testing"
        # Werkzeug's scrypt costs ~50 ms of CPU a hash: right for users, a waste for a test
        # suite that signs in hundreds of times. One pbkdf2 round only under APP_ENV=testing;
        # never an environment variable, so production cannot be configured down to it.
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1" if self.TESTING else "scrypt"
        self.DEBUG = _bool("FLASK_DEBUG") and self.APP_ENV == "development"
        self.JOB_QUEUES = ("high", "default", "low")
        # A bulk action on "all matching" above this many leads runs as a job.
        self.BULK_JOB_THRESHOLD = int(os.environ.get("BULK_JOB_THRESHOLD", "500") or 500)
        # How long "Work next lead" keeps a campaign lead locked to the rep who took it.
        self.CAMPAIGN_LOCK_MINUTES = _positive_int("CAMPAIGN_LOCK_MINUTES", 15)
        # Recovery from a killed worker (README, "Workers"): a job whose worker stops
        # heartbeating counts as abandoned after about two heartbeats, and idle workers
        # look for abandoned jobs, a dead scheduler's lock and stuck runs this often.
        self.WORKER_HEARTBEAT_SECONDS = _positive_int("WORKER_HEARTBEAT_SECONDS", 10)
        self.WORKER_SWEEP_SECONDS = _positive_int("WORKER_SWEEP_SECONDS", 30)
        # One webhook POST's read timeout; a delivery's claim outlives it by a margin.
        self.WEBHOOK_TIMEOUT_SECONDS = _positive_int("WEBHOOK_TIMEOUT_SECONDS", 10)
        # Credits a workspace may spend a day on discovery and enrichment (1 a company
        # saved, see services/pipeline/credits.py), unless the workspace sets its own.
        self.DAILY_CREDIT_LIMIT = _positive_int("DAILY_CREDIT_LIMIT", 500)

    def check(self) -> None:
        """Refuse settings that are unsafe in production."""
        if self.APP_ENV == "production" and self.SECRET_KEY == DEFAULT_SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY is not set. Set SECRET_KEY to a long random value before "
                "running in production (or APP_ENV=development to try the app locally)."
            )

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
