"""The embedded default's worker and scheduler: one daemon thread in the web process.

Without Redis there is no RQ worker and no scheduler. Jobs a request enqueues still
run inline, but the outbox relay, which waits on other sites' webhooks, runs here
after the answer has gone: a slow webhook no longer holds up a capture. The periodic
jobs run here too, so a failed delivery is retried when it comes due even when
nothing else happens. Tests (TESTING) keep the relay inline, so they can check it.

SQLite lets one connection write at a time, and a long write elsewhere (an inline
import's batch) holds the lock for longer than the driver's 5-second wait. This
thread is in no hurry: its connections wait up to PATIENCE_MS for the lock, and a job
that still meets it is tried again RETRY_SECONDS later, logged at INFO. Nothing is
lost meanwhile: the events wait in the outbox, the due schedules in the database.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from webapp.jobs.events import RELAY
from webapp.jobs.schedule import PERIODIC_JOBS, Periodic

log = logging.getLogger(__name__)
EXTENSION_KEY = "leadkeeper_background"
PATIENCE_MS = 60_000  # how long this thread's SQLite statements wait for the write lock
RETRY_SECONDS = 5.0  # a job that met the lock anyway runs again this much later
_patience = threading.local()  # .ms on this thread only: requests keep the short wait


def _busy_timeout_per_thread(dbapi_connection, record, proxy) -> None:
    """On checkout, the SQLite connection waits as long as the thread taking it may."""
    wanted = getattr(_patience, "ms", None)
    if record.info.get("patient_ms") == wanted:
        return
    cursor = dbapi_connection.cursor()
    try:
        if "default_ms" not in record.info:
            record.info["default_ms"] = int(cursor.execute("PRAGMA busy_timeout").fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {int(wanted or record.info['default_ms'])}")
    finally:
        cursor.close()
    record.info["patient_ms"] = wanted


def _wait_patiently(engine: Engine) -> None:
    if engine.dialect.name == "sqlite" and not event.contains(
        engine, "checkout", _busy_timeout_per_thread
    ):
        event.listen(engine, "checkout", _busy_timeout_per_thread)


def _database_locked(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig)


class BackgroundJobs:
    def __init__(self, app: Flask, jobs: tuple[Periodic, ...] = PERIODIC_JOBS):
        self.app = app
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        # Interval jobs only: every periodic job is one today (webapp/jobs/schedule.py).
        self._next_run = {job.kind: 0.0 for job in jobs if job.interval}
        self._intervals = {job.kind: job.interval for job in jobs if job.interval}
        self._retry_at: dict[str, float] = {}  # jobs that met the write lock

    def start(self) -> None:
        """Start the thread once; called on each request, so CLI commands never start it."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="leadkeeper-background", daemon=True
                )
                self._thread.start()

    def relay_soon(self) -> None:
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        _patience.ms = PATIENCE_MS
        while True:
            deadline = min([*self._next_run.values(), *self._retry_at.values()], default=None)
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            woken = self._wake.wait(timeout=wait)
            self._wake.clear()
            if self._stopping:
                return
            now = time.monotonic()
            due = {kind for kind, at in self._next_run.items() if at <= now}
            for kind in due:
                self._next_run[kind] = now + self._intervals[kind]
            for kind, at in list(self._retry_at.items()):
                if at <= now:
                    due.add(kind)
                    del self._retry_at[kind]
            if woken:
                due.add(RELAY)
            for kind in sorted(due):
                if self._stopping:  # stop() does not wait for the jobs still due
                    return
                self._run(kind)

    def _run(self, kind: str) -> None:
        from webapp.extensions import db
        from webapp.jobs import enqueue

        with self.app.app_context():
            _wait_patiently(db.engine)
            try:
                enqueue(kind)  # no Redis here: runs now, on this thread, and records its run
            except OperationalError as exc:
                if not _database_locked(exc):
                    log.exception("background: %s failed", kind)
                    return
                # Expected while a long write holds SQLite: not an error, try again soon.
                self._retry_at[kind] = time.monotonic() + RETRY_SECONDS
                log.info(
                    "background: %s waits, another write holds the database; trying again in %g s",
                    kind,
                    RETRY_SECONDS,
                )
            except Exception:  # the thread must live on; the job's work waits for next time
                log.exception("background: %s failed", kind)
            finally:
                db.session.remove()


def register_background_jobs(app: Flask) -> None:
    if app.config.get("REDIS_URL") or app.testing:
        return
    background = BackgroundJobs(app)
    app.extensions[EXTENSION_KEY] = background
    app.before_request(background.start)


def background_jobs(app: Flask) -> BackgroundJobs | None:
    return app.extensions.get(EXTENSION_KEY)
