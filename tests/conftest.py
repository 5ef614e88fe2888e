"""Fixture chain: app -> db -> client, against DATABASE_URL/REDIS_URL when set.

Without DATABASE_URL the suite uses a fresh SQLite file; without REDIS_URL jobs
run inline and rate limits live in memory, as on the embedded default. Under
pytest-xdist each worker has its own database and Redis db (tests/backends.py).
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

os.environ["APP_ENV"] = "testing"
os.environ.setdefault("SECRET_KEY", "test-secret-key")
_TMP = Path(tempfile.mkdtemp(prefix="leadkeeper-tests-"))
os.environ.setdefault("INSTANCE_PATH", str(_TMP / "instance"))
# The sandbox and the tests' receivers listen on 127.0.0.1: provider calls may reach them
# (subprocess workers inherit this). tests/providers/test_outbound_guard.py turns it off.
os.environ.setdefault("PROVIDERS_ALLOW_PRIVATE", "1")

from tests import backends  # noqa: E402
from tests.helpers import WebClient  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db as _db  # noqa: E402
from webapp.extensions import limiter  # noqa: E402
from webapp.jobs.background import background_jobs  # noqa: E402
from webapp.redis_conn import get_redis  # noqa: E402
from webapp.services.capture.submissions import forget_cached_forms  # noqa: E402
from webapp.services.events.relay_kick import forget_last_kick  # noqa: E402

# The `sandbox` fixture: the sandbox provider on a live local server (tests/sandbox_server.py).
pytest_plugins = ("tests.sandbox_server",)

_worker_database: str | None = None


def pytest_configure(config):
    global _worker_database
    _worker_database = backends.use_worker_backends()


def pytest_unconfigure(config):
    backends.drop_worker_database(_worker_database)


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
    """Empty the tables the test wrote to: one query finds them, DELETE empties them.

    A TRUNCATE of all 26 tables cost 0.3-0.6 s a test on PostgreSQL (it makes new
    files for every table); deleting the few rows a test leaves costs ~1-5 ms.
    Rolling back instead is not an option: factories and requests commit, and live
    servers and RQ worker subprocesses must see the rows.
    """
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]  # children first
    with _db.engine.begin() as conn:
        used = set(conn.execute(text(_used_tables_sql(tuple(tables)))).scalars())
        for table in (t for t in tables if t in used):
            conn.execute(text(f'DELETE FROM "{table}"'))


@functools.cache
def _used_tables_sql(tables: tuple[str, ...]) -> str:
    return " UNION ALL ".join(
        f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")"  # noqa: S608  (model names)
        for t in tables
    )


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
    put back afterwards. An embedded app built with TESTING off starts its background
    thread on its first request; it is stopped here, before its database goes, rather
    than ticking on against a database that is no longer there.
    """
    saved = dict(limiter.__dict__)
    built = []

    def build(overrides: dict | None = None):
        built.append(create_app(overrides))
        return built[-1]

    yield build
    for extra in built:
        if background := background_jobs(extra):
            background.stop()
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


# Tests of backend-specific code say so with a mark, and CI never lets them skip:
# with CI=true and DATABASE_URL (REDIS_URL) set, a skipped `postgres` (`redis`)
# test is a failure, so a PostgreSQL branch cannot go untested without anyone noticing.
def _on_postgresql() -> bool:
    from sqlalchemy.engine import make_url

    url = os.environ.get("DATABASE_URL", "").strip()
    return bool(url) and make_url(url).get_backend_name().startswith("postgres")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "redis_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.redis)


@pytest.fixture(autouse=True)
def _backend_marks(request):
    if request.node.get_closest_marker("postgres") and not _on_postgresql():
        pytest.skip("PostgreSQL-specific: runs with DATABASE_URL (CI's first run)")


def _must_not_skip(item) -> str | None:
    if os.environ.get("CI", "").strip().lower() not in {"1", "true", "yes"}:
        return None
    if item.get_closest_marker("postgres") and os.environ.get("DATABASE_URL"):
        return "postgres"
    if item.get_closest_marker("redis") and os.environ.get("REDIS_URL"):
        return "redis"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and (mark := _must_not_skip(item)):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"a {mark}-marked test skipped in CI although its backend is configured: {reason}"
        )
    return report
