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
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.jobs.registry import JobSpec, get_job
from webapp.models.base import utcnow
from webapp.models.jobs import ACTIVE_STATUSES, ERROR_MAX, MESSAGE_MAX, JobRun

log = logging.getLogger(__name__)
RUNS = JobRun.__table__
# The only dotted paths RQ stores: every job goes through these two functions.
PERFORM = "webapp.jobs.runner.perform"


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
        with db.engine.connect() as conn:
            asked = conn.execute(
                select(RUNS.c.cancel_requested_at).where(RUNS.c.id == self.id)
            ).scalar()
        self.stopped = self.stopped or asked is not None
        return asked is not None

    # -- the runner's side ------------------------------------------------------

    def begin(self) -> bool:
        """Mark the run running; False when it was cancelled (or has ended) meanwhile."""
        now = utcnow()
        with db.engine.begin() as conn:
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
            with db.engine.begin() as conn:
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
        with db.engine.begin() as conn:
            conn.execute(update(RUNS).where(RUNS.c.id == self.id).values(**values))


_SQL_DETAIL = re.compile(r"\n\[(SQL|parameters):.*", re.S)
_BACKGROUND = re.compile(r"\(Background on this error at: [^)]*\)")
_URL_USERINFO = re.compile(r"([a-zA-Z][\w+.-]*://)[^/\s@]+@")


def error_text(exc: BaseException) -> str:
    """The failure as a person reads it, without SQL parameters or credentials in URLs."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):  # ValidationFailed: the fields and reasons a person can act on
        return "; ".join(f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in errors.items())
    text = f"{type(exc).__name__}: {exc}"
    text = _SQL_DETAIL.sub("", text)
    text = _BACKGROUND.sub("", text)
    text = _URL_USERINFO.sub(r"\1***@", text)
    return text.strip()[:ERROR_MAX]


def create_run(spec: JobSpec, **fields) -> JobRun:
    """Insert and commit a run row on its own session, so the caller's transaction is untouched."""
    fields.setdefault("id", uuid.uuid4())
    run = JobRun(kind=spec.kind, queue=spec.queue, **fields)
    with Session(db.engine, expire_on_commit=False) as session:
        session.add(run)
        session.commit()
    return run


def execute(spec: JobSpec, run_id, args, kwargs, *, will_retry: bool, reraise: bool):
    handle = RunHandle(uuid.UUID(str(run_id)) if run_id else None)
    if handle.recorded and not handle.begin():
        log.info("job %s %s: cancelled before it started", spec.kind, run_id)
        return None
    try:
        result = spec.func(handle, *args, **kwargs)
    except Exception as exc:
        db.session.rollback()  # the job's own unfinished work
        if handle.recorded:
            handle.fail(exc, will_retry)
        if reraise:
            raise
        log.exception("job %s %s failed", spec.kind, run_id)
        return None
    if handle.recorded:
        handle.succeed()
    return result


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
