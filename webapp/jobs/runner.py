"""Running a registered job and recording its run: the one function RQ calls.

A worker (or the inline facade) calls `perform(kind, run_id, *args)`: the run moves
to running, the job gets a `RunHandle` for progress, counts and cancellation, and the
run ends succeeded, failed (the error text kept) or cancelled. Run bookkeeping uses
its own short transactions on the engine, never the job's session, so a rollback of
the job's work keeps what the run says about it.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextlib import contextmanager
from typing import Any

from flask import current_app
from sqlalchemy import Engine, create_engine, delete, insert, select, update

from webapp.extensions import db
from webapp.jobs.registry import JobSpec, get_job
from webapp.models.base import utcnow
from webapp.models.jobs import ACTIVE_STATUSES, ERROR_MAX, MESSAGE_MAX, JobRun

log = logging.getLogger(__name__)
RUNS = JobRun.__table__
# The only dotted path RQ stores (besides the scheduler's perform_periodic).
PERFORM = "webapp.jobs.runner.perform"
# Runs a forking worker began before forking (run id -> may it run): the work-horse
# inherits this, so it neither marks the run running nor, unless it has more to say,
# succeeded (webapp.jobs.app_worker.AppWorker.execute_job does both).
PREPARED: dict[str, bool] = {}


class GiveUp(Exception):
    """Raised by a job that failed in a way a retry cannot mend (e.g. the receiver said no).

    The run ends failed with this message as its error, and RQ does not retry it.
    """


class RunHandle:
    """What a job sees of its run: `progress`, `count`, `tell`, `keep`, `cancelled`.

    Call `progress` and `cancelled` between batches, after the batch's own commit
    (SQLite lets one connection write at a time). Counts and the message are kept in
    memory and written with the next progress report and with the run's end.
    """

    def __init__(self, run_id: uuid.UUID | None):
        self.id = run_id
        self.counts: dict[str, int] = {}
        self.message: str | None = None
        self.result: dict | None = None
        self.stopped = False  # the job saw a cancel request and stopped
        self.discarded = False

    @property
    def recorded(self) -> bool:
        return self.id is not None

    def progress(self, done: int, total: int | None = None) -> None:
        values: dict[str, Any] = {"progress_done": done, "counts": dict(self.counts)}
        if total is not None:
            values["progress_total"] = total
        self._write(**values)

    def count(self, **named: int) -> None:
        for name, n in named.items():
            self.counts[name] = self.counts.get(name, 0) + int(n)

    def tell(self, message: str) -> None:
        """The one sentence the page shows when the run has ended."""
        self.message = message[:MESSAGE_MAX]

    def keep(self, result: dict) -> None:
        """A small JSON document the starting page reads back (e.g. the pairs a scan found)."""
        self.result = result

    def discard(self) -> None:
        """Drop the run's row if it succeeds: an idle periodic run is not worth a line."""
        self.discarded = True

    def cancelled(self) -> bool:
        """True once someone asked to cancel; the job then stops at this batch boundary."""
        if self.id is None:
            return False
        with _bookkeeping() as conn:
            asked = conn.execute(
                select(RUNS.c.cancel_requested_at).where(RUNS.c.id == self.id)
            ).scalar()
        self.stopped = self.stopped or asked is not None
        return asked is not None

    # -- the runner's side ------------------------------------------------------

    @property
    def has_news(self) -> bool:
        """Anything for the run's end beyond "succeeded"."""
        return bool(
            self.counts or self.message or self.result is not None or self.discarded or self.stopped
        )

    def begin(self) -> bool:
        """Mark the run running; False when it was cancelled (or has ended) meanwhile."""
        now = utcnow()
        with _bookkeeping() as conn:
            started = conn.execute(
                update(RUNS)
                .where(
                    RUNS.c.id == self.id,
                    RUNS.c.status.in_(ACTIVE_STATUSES),
                    RUNS.c.cancel_requested_at.is_(None),
                )
                .values(status="running", started_at=now, attempts=RUNS.c.attempts + 1)
            ).rowcount
            if not started:  # asked to cancel as it reached the worker: end it here
                conn.execute(
                    update(RUNS)
                    .where(RUNS.c.id == self.id, RUNS.c.status.in_(ACTIVE_STATUSES))
                    .values(status="cancelled", finished_at=now)
                )
        return started == 1

    def succeed(self) -> None:
        if self.discarded and not self.stopped:
            with _bookkeeping() as conn:
                conn.execute(delete(RUNS).where(RUNS.c.id == self.id))
            return
        self._end("cancelled" if self.stopped else "succeeded")

    def fail(self, exc: BaseException, will_retry: bool) -> None:
        # A retry to come puts the run back in the queue, its error shown meanwhile.
        self._end("queued" if will_retry else "failed", error=error_text(exc))

    def _end(self, status: str, error: str | None = None) -> None:
        values: dict[str, Any] = {"status": status, "counts": dict(self.counts)}
        if status != "queued":
            values["finished_at"] = utcnow()
        if error is not None:
            values["error"] = error
        if self.message is not None:
            values["message"] = self.message
        if self.result is not None:
            values["result"] = self.result
        self._write(**values)

    def _write(self, **values) -> None:
        if self.id is None:
            return
        with _bookkeeping() as conn:
            conn.execute(update(RUNS).where(RUNS.c.id == self.id).values(**values))


RUNS_ENGINE = "leadkeeper_runs_engine"


def runs_engine() -> Engine:
    """The engine for a run's state: on PostgreSQL, autocommit without waiting for the disk.

    Each status or progress write is then one round trip. A crash may lose the last
    few milliseconds of a run's status (a killed worker's run is swept anyway); the
    job's own work keeps its normal, durable commits on the app's engine. SQLite
    shares the app's engine (one writer at a time).
    """
    app = current_app._get_current_object()
    engine = app.extensions.get(RUNS_ENGINE)
    if engine is None:
        engine = db.engine
        if engine.dialect.name == "postgresql":
            engine = create_engine(
                engine.url,
                isolation_level="AUTOCOMMIT",
                pool_size=2,
                connect_args={"options": "-c synchronous_commit=off"},
            )
        app.extensions[RUNS_ENGINE] = engine
    return engine


@contextmanager
def _bookkeeping():
    engine = runs_engine()
    if engine is db.engine:
        with engine.begin() as conn:
            yield conn
    else:
        with engine.connect() as conn:
            yield conn


def recorded_run_id(rq_job) -> str | None:
    """The run id of an RQ job that `perform` will run, if it records one."""
    if rq_job.func_name != PERFORM or len(rq_job.args) < 2:
        return None
    return rq_job.args[1]


def begin_run(run_id: str) -> bool:
    return RunHandle(uuid.UUID(run_id)).begin()


def finish_quiet_run(run_id: str) -> None:
    """Succeeded, for a run its work-horse left running (it had nothing more to say)."""
    with _bookkeeping() as conn:
        conn.execute(
            update(RUNS)
            .where(RUNS.c.id == uuid.UUID(run_id), RUNS.c.status == "running")
            .values(status="succeeded", finished_at=utcnow())
        )


_SQL_DETAIL = re.compile(r"\n\[(SQL|parameters):.*", re.S)
_BACKGROUND = re.compile(r"\(Background on this error at: [^)]*\)")
_URL_USERINFO = re.compile(r"([a-zA-Z][\w+.-]*://)[^/\s@]+@")


def error_text(exc: BaseException) -> str:
    """The failure as a person reads it, without SQL parameters or credentials in URLs."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):  # ValidationFailed: the fields and reasons a person can act on
        return "; ".join(f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in errors.items())
    text = str(exc) if isinstance(exc, GiveUp) else f"{type(exc).__name__}: {exc}"
    text = _SQL_DETAIL.sub("", text)
    text = _BACKGROUND.sub("", text)
    text = _URL_USERINFO.sub(r"\1***@", text)
    return text.strip()[:ERROR_MAX]


def create_run(spec: JobSpec, **fields) -> JobRun:
    """Insert and commit a run row on its own connection, so the caller's transaction is
    untouched; returns it as a detached object (durable: the queued job depends on it)."""
    now = utcnow()
    values = {
        "id": uuid.uuid4(),
        "kind": spec.kind,
        "queue": spec.queue,
        "status": "queued",
        "progress_done": 0,
        "counts": {},
        "args": [],
        "kwargs": {},
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    with db.engine.begin() as conn:
        conn.execute(insert(RUNS).values(**values))
    return JobRun(**values)


def execute(spec: JobSpec, run_id, args, kwargs, *, will_retry: bool, reraise: bool):
    handle = RunHandle(uuid.UUID(str(run_id)) if run_id else None)
    prepared = run_id is not None and str(run_id) in PREPARED
    started = PREPARED[str(run_id)] if prepared else (not handle.recorded or handle.begin())
    if not started:
        log.info("job %s %s: cancelled before it started", spec.kind, run_id)
        return None
    try:
        result = spec.func(handle, *args, **kwargs)
    except GiveUp as exc:  # failed for good: the run says so, RQ does not retry
        _abandon_work()
        if handle.recorded:
            handle.fail(exc, will_retry=False)
        log.info("job %s %s gave up: %s", spec.kind, run_id, exc)
        return None
    except Exception as exc:
        _abandon_work()
        if handle.recorded:
            handle.fail(exc, will_retry)
        if reraise:
            raise
        log.exception("job %s %s failed", spec.kind, run_id)
        return None
    if handle.recorded and (handle.has_news or not prepared):
        handle.succeed()
    return result


def _abandon_work() -> None:
    """Roll back the job's unfinished work. A connection that cannot roll back (a job
    timeout stopped it mid-query: it is still busy) is closed instead, so the run still
    records why the job ended and no one gets that connection back."""
    try:
        db.session.rollback()
    except Exception:
        log.warning("the job's session could not roll back; its connections are closed")
        db.session().invalidate()


def perform(kind: str, run_id: str | None, *args, **kwargs):
    """RQ's entry point for every job; RQ retries (3, backing off) when it raises."""
    from rq import get_current_job

    rq_job = get_current_job()
    will_retry = bool(rq_job is not None and rq_job.retries_left)
    return execute(get_job(kind), run_id, args, kwargs, will_retry=will_retry, reraise=True)


def perform_periodic(kind: str):
    """The scheduler's entry point: a periodic run is recorded from the worker's side."""
    from rq import get_current_job

    spec = get_job(kind)
    rq_job = get_current_job()
    # The RQ job's id lets the sweep of killed runs (webapp/jobs/recovery.py) find it.
    run = create_run(spec, status="queued", rq_job_id=rq_job.id if rq_job else None)
    return execute(spec, run.id, (), {}, will_retry=False, reraise=True)
