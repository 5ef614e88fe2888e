"""Each pytest-xdist worker gets backends of its own: database, Redis db and instance path.

`make test` runs the suite on 2 processes (`-n 2`). Two workers sharing one database
would truncate each other's rows, so worker `gwN` uses:
- PostgreSQL: the database `<DATABASE_URL's name>_gwN` on the same server, created
  (fresh) when the worker starts and dropped when it ends;
- Redis: db number `<REDIS_URL's db> + N` (the suite flushes its db after each test);
- SQLite (no DATABASE_URL): a file under the worker's own temporary instance path.
The worker's URLs go into os.environ before the app is built, so subprocesses the
tests start (RQ workers) reach the same database and Redis db.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import make_url

REDIS_DBS = 16  # Redis' default number of databases


def worker_id() -> str | None:
    """`gw0`, `gw1`… inside a pytest-xdist worker; None in a plain run."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(url: str, worker: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis URL with its db number moved up by the worker's index."""
    head, _, tail = url.partition("?")
    base, slash, number = head.rpartition("/")
    if not slash or "//" not in base or not number.isdigit():
        base, number = head.rstrip("/"), "0"
    db = int(number) + int(worker.removeprefix("gw"))
    if db >= REDIS_DBS:
        raise pytest.UsageError(
            f"REDIS_URL's db + worker index is {db}: pick a REDIS_URL db below {REDIS_DBS - 1}"
        )
    return f"{base}/{db}" + (f"?{tail}" if tail else "")


def _admin(url: str):
    """An autocommit connection to the server's `postgres` database (for CREATE DATABASE)."""
    import psycopg

    admin = make_url(url).set(drivername="postgresql", database="postgres")
    return psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)


def _recreate_database(url: str) -> None:
    name = make_url(url).database
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def use_worker_backends() -> str | None:
    """Point this process's environment at the worker's own backends; returns the
    database URL to drop at the end (None when there is nothing to drop)."""
    worker = worker_id()
    if worker is None:
        return None
    if instance := os.environ.get("INSTANCE_PATH"):
        os.environ["INSTANCE_PATH"] = os.path.join(instance, worker)
    if redis_url := os.environ.get("REDIS_URL", "").strip():
        os.environ["REDIS_URL"] = worker_redis_url(redis_url, worker)
    database_url = os.environ.get("DATABASE_URL", "").strip()
    if not database_url or make_url(database_url).get_backend_name() != "postgresql":
        return None
    os.environ["DATABASE_URL"] = worker_database_url(database_url, worker)
    _recreate_database(os.environ["DATABASE_URL"])
    return os.environ["DATABASE_URL"]


def drop_worker_database(url: str | None) -> None:
    if url:
        _drop_database(url)
