"""When PostgreSQL is unreachable: recognise it, and end the request without a second error.

A dead connection raises on every statement, the ROLLBACK that ends a request
included. Left alone, that rollback raises in Flask's teardown, after the error
handlers, and the WSGI server answers with its own bare 500. Here the session is
given up by invalidation instead (the pool closes the socket and opens a fresh
connection, checked by `pool_pre_ping`, on the next checkout), so the app recovers
by itself once the database is back.
"""

from __future__ import annotations

import threading
import time
from contextlib import suppress

import psycopg
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import exc as sa_exc

from webapp.extensions import db

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The database is unavailable right now. Please try again in a few seconds."


def is_database_outage(exc: BaseException | None) -> bool:
    """The database cannot be reached or dropped the connection (not a bad statement).

    Also the driver's own errors (the raw-SQL lead insert runs on the DBAPI cursor,
    whose errors SQLAlchemy never wraps), and an error raised while handling one
    (a session used again after its connection died says "rollback first").
    """
    for _ in range(5):
        if exc is None:
            return False
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
            return True  # TimeoutError: no pooled connection came free in time
        if isinstance(exc, sa_exc.DBAPIError):
            return exc.connection_invalidated
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def describe(exc: BaseException) -> str:
    """The driver's first line: no SQL, no parameters (they may hold personal data)."""
    cause = getattr(exc, "orig", None) or exc
    first_line = (str(cause).strip().splitlines() or [""])[0][:200]
    return f"{type(cause).__name__}: {first_line}"


class OutageLog:
    """One line per failure, and during an outage one line per interval with a count of
    the requests it stood for: a traceback per request would bury the log."""

    def __init__(self, every_seconds: float = 10):
        self.every_seconds = every_seconds
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._unreported = 0

    def report(self, where: str, exc: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.every_seconds:
                self._unreported += 1
                return
            self._last, unreported, self._unreported = now, self._unreported, 0
        more = f" (and {unreported} more since the last report)" if unreported else ""
        current_app.logger.warning("database unavailable on %s: %s%s", where, describe(exc), more)


outage_log = OutageLog()


def note_outage(where: str, exc: BaseException) -> None:
    """Note the outage once per request (the handler and the teardown may both meet it)."""
    if has_app_context():  # the teardown runs after the request context is gone
        if g.get("database_outage_logged"):
            return
        g.database_outage_logged = True
    if has_request_context():
        where = f"{request.method} {request.path} ({where})"
    outage_log.report(where, exc)


def discard_session() -> None:
    """Give up the session's connections without a ROLLBACK over a dead socket."""
    with suppress(Exception):
        db.session.invalidate()
    with suppress(Exception):
        db.session.registry.clear()


def rollback_or_discard(where: str) -> None:
    """Roll back; if even that fails, the connection is gone: discard it."""
    try:
        db.session.rollback()
    except Exception as exc:
        note_outage(where, exc)
        discard_session()


def _end_session(_exc: BaseException | None = None) -> None:
    try:
        db.session.remove()
    except Exception as exc:
        note_outage("ending the request", exc)
        discard_session()


def register_session_teardown(app: Flask) -> None:
    """Registered after Flask-SQLAlchemy's own, so it runs first (teardowns run in reverse);
    the session it leaves is already removed, so the extension's `remove()` has no work."""
    app.teardown_appcontext(_end_session)
