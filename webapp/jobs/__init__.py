"""The one way code starts background work: `enqueue(kind, *ids, ...) -> JobRun`.

Jobs are registered by kind (webapp.jobs.registry) and take ids, never ORM objects.
The facade writes the run row first (committed on its own connection, so a page can
show it before a worker picks it up), then hands the job to RQ, or, on the embedded
default without Redis, runs it at once in this process, recording the run the same way.

Commit your own work before enqueueing: the job may start (inline: does start) before
your transaction would otherwise end.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from webapp.extensions import db
from webapp.jobs.registry import JobSpec, get_job
from webapp.jobs.runner import PERFORM, RUNS, create_run, execute
from webapp.models.base import utcnow
from webapp.models.jobs import JobRun
from webapp.redis_conn import get_redis

log = logging.getLogger(__name__)

RETRY_INTERVALS = [10, 60, 300]  # 3 retries with exponential backoff
FAILURE_TTL = 7 * 24 * 3600


def _plain(value):
    if isinstance(value, db.Model):
        raise TypeError("jobs take ids, never ORM objects")
    return str(value) if isinstance(value, uuid.UUID) else value


def _uuid(value) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def enqueue(
    kind: str,
    *args,
    workspace_id=None,
    started_by=None,
    parent: JobRun | uuid.UUID | None = None,
    subject: tuple[str, object] | None = None,
    retry_of: JobRun | None = None,
    delay: timedelta | None = None,
    **kwargs,
) -> JobRun | None:
    """Start job `kind` with `args`; returns its run (None for kinds that record none).

    `subject` names what the work is about, e.g. ("webhook_endpoint", endpoint.id),
    so the page of that thing can find its run. `delay` needs Redis; inline work
    runs now.
    """
    spec = get_job(kind)
    if spec.queue not in current_app.config["JOB_QUEUES"]:
        raise ValueError(f"unknown queue {spec.queue!r}")
    args = tuple(_plain(a) for a in args)
    kwargs = {k: _plain(v) for k, v in kwargs.items()}
    redis = get_redis()
    run = None
    if spec.record:
        run_id = uuid.uuid4()
        subject_type, subject_id = subject if subject else (None, None)
        run = create_run(
            spec,
            id=run_id,
            status="queued",
            workspace_id=_uuid(workspace_id),
            started_by=_uuid(started_by),
            parent_id=_uuid(getattr(parent, "id", parent)),
            retry_of_id=retry_of.id if retry_of else None,
            subject_type=subject_type,
            subject_id=str(subject_id) if subject_id is not None else None,
            args=list(args),
            kwargs=kwargs,
            rq_job_id=str(run_id) if redis is not None else None,
        )
    if redis is None:
        execute(spec, run.id if run else None, args, kwargs, will_retry=False, reraise=False)
        return _reloaded(run)
    try:
        _to_rq(redis, spec, run, args, kwargs, delay)
    except Exception as exc:
        if run is not None:
            _mark(run.id, status="failed", error=f"Not queued: {exc}", finished_at=utcnow())
        raise
    return run


def _to_rq(redis, spec: JobSpec, run: JobRun | None, args, kwargs, delay) -> None:
    from rq import Queue, Retry

    queue = Queue(spec.queue, connection=redis)
    options = {
        "args": (spec.kind, str(run.id) if run else None, *args),
        "kwargs": kwargs,
        "job_id": run.rq_job_id if run else None,
        "retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        "failure_ttl": FAILURE_TTL,
        "description": spec.kind,
    }
    if delay is not None:
        queue.enqueue_in(delay, PERFORM, **options)
    else:
        queue.enqueue(PERFORM, **options)


def _reloaded(run: JobRun | None) -> JobRun | None:
    if run is None:
        return None
    return db.session.get(JobRun, run.id, populate_existing=True)


def _mark(run_id, **values) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(**values))


def cancel(run: JobRun) -> str:
    """Ask a run to stop; returns its status after the request.

    A queued run leaves RQ's queue and is cancelled now; a running one is flagged and
    stops at its job's next `run.cancelled()` check. An ended run is left alone.
    """
    if not run.active:
        return run.status
    now = utcnow()
    _mark(run.id, cancel_requested_at=now)
    if run.status == "queued":
        redis = get_redis()
        if redis is not None and run.rq_job_id:
            _cancel_rq_job(redis, run.rq_job_id)
        with db.engine.begin() as conn:
            conn.execute(
                update(RUNS)
                .where(RUNS.c.id == run.id, RUNS.c.status == "queued")
                .values(status="cancelled", finished_at=now)
            )
    return _reloaded(run).status


def _cancel_rq_job(redis, rq_job_id: str) -> None:
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.job import Job

    # Already taken or gone: the runner sees the cancel request when it starts.
    with contextlib.suppress(NoSuchJobError, InvalidJobOperation):
        Job.fetch(rq_job_id, connection=redis).cancel()


def retry(run: JobRun, started_by=None) -> JobRun | None:
    """A new attempt of a failed (or cancelled) run: same kind and arguments, linked to it."""
    return enqueue(
        run.kind,
        *run.args,
        workspace_id=run.workspace_id,
        started_by=started_by or run.started_by,
        parent=run.parent_id,
        subject=(run.subject_type, run.subject_id) if run.subject_type else None,
        retry_of=run,
        **run.kwargs,
    )
