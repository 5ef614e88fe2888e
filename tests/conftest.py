"""Fixture chain: app -> db -> client, against DATABASE_URL/REDIS_URL when set.

Without DATABASE_URL the suite uses a fresh SQLite file; without REDIS_URL jobs
run inline and rate limits live in memory, as on the embedded default.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

os.environ["APP_ENV"] = "testing"
os.environ.setdefault("SECRET_KEY", "test-secret-key")
_TMP = Path(tempfile.mkdtemp(prefix="leadkeeper-tests-"))
os.environ.setdefault("INSTANCE_PATH", str(_TMP / "instance"))

from tests.helpers import WebClient  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db as _db  # noqa: E402
from webapp.extensions import limiter  # noqa: E402
from webapp.redis_conn import get_redis  # noqa: E402
from webapp.services.capture.submissions import forget_cached_forms  # noqa: E402
from webapp.services.events.relay_kick import forget_last_kick  # noqa: E402


def _reset_schema(app) -> None:
    """Start from an empty schema, then build it with the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = _db.engine
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))


def _fresh_g() -> None:
    # Tests hold an app context open, and Flask reuses it for every test request,
    # so `g` would leak between requests; in production each request gets its own.
    from flask import g

    g.__dict__.clear()


@pytest.fixture(scope="session")
def app():
    application = create_app({"TESTING": True})
    application.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    _reset_schema(application)
    return application


@pytest.fixture()
def db(app):
    with app.app_context():
        yield _db
        _db.session.remove()
        _truncate_all(app)
        forget_cached_forms()
    redis = get_redis(app)
    if redis is not None:
        redis.flushdb()
        forget_last_kick()
    limiter.reset()


def _truncate_all(app) -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if _db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture()
def client(app, db) -> WebClient:
    return WebClient(app.test_client())


@pytest.fixture()
def factory(db):
    from tests.factories import Factory

    return Factory(db.session)


@pytest.fixture()
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (runs in CI against a real Redis)")
    return url


@pytest.fixture()
def make_app(app, db):
    """Build extra apps (other settings) without disturbing the suite's app.

    Flask-Limiter keeps its storage on the one global extension object, so it is
    put back afterwards.
    """
    saved = dict(limiter.__dict__)

    def build(overrides: dict | None = None):
        return create_app(overrides)

    yield build
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)
