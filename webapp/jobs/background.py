"""The embedded default's worker and scheduler: one daemon thread in the web process.

Without Redis there is no RQ worker and no scheduler. Jobs a request enqueues still
run inline, but the outbox relay, which waits on other sites' webhooks, runs here
after the answer has gone: a slow webhook no longer holds up a capture. The periodic
jobs run here too, so a failed delivery is retried when it comes due even when
nothing else happens. Tests (TESTING) keep the relay inline, so they can check it.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from webapp.jobs.events import RELAY
from webapp.jobs.schedule import PERIODIC_JOBS, Periodic

log = logging.getLogger(__name__)
EXTENSION_KEY = "leadkeeper_background"


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
        while True:
            deadline = min(self._next_run.values(), default=None)
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            woken = self._wake.wait(timeout=wait)
            self._wake.clear()
            if self._stopping:
                return
            now = time.monotonic()
            due = {kind for kind, at in self._next_run.items() if at <= now}
            for kind in due:
                self._next_run[kind] = now + self._intervals[kind]
            if woken:
                due.add(RELAY)
            for kind in sorted(due):
                self._run(kind)

    def _run(self, kind: str) -> None:
        from webapp.extensions import db
        from webapp.jobs import enqueue

        with self.app.app_context():
            try:
                enqueue(kind)  # no Redis here: runs now, on this thread, and records its run
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
