"""Runs whose worker was killed: what RQ did with the job becomes what the run says.

A job's run is marked running by its work-horse and ended by it; a horse killed
with SIGKILL (or its worker with it) ends nothing. RQ notices the job, at its next
maintenance round after the job's heartbeat lapses, and requeues it if it has
retries left or fails it. This sweep, run by workers right after that round, moves
each active run that RQ no longer runs to where RQ put it: queued again (a retry
comes) or failed, with a sentence saying why. A run never stays "running" for ever.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis import Redis
from sqlalchemy import and_, or_, select, update

from webapp.extensions import db
from webapp.jobs.runner import RUNS
from webapp.models.base import utcnow

log = logging.getLogger(__name__)

# The facade writes the run before it hands the job to RQ; a run younger than this
# may not have its RQ job yet.
FRESH = timedelta(seconds=60)
BATCH = 500

KILLED = "Its worker stopped mid-run (killed or lost); "
RETRYING = KILLED + "it will be retried."
GAVE_UP = KILLED + "no retries were left."
LOST = "Its job was lost from the queue (Redis lost it or it expired)."


def _run_state(rq_status: str | None, run_status: str) -> tuple[str, str | None] | None:
    """(status, error) for a run whose RQ job is in `rq_status`; None to leave it."""
    if rq_status is None:  # (a fresh run's job may not be queued yet: not swept)
        return ("failed", LOST)
    if rq_status in ("queued", "scheduled", "deferred"):
        # Queued again while the run says running: RQ retries a killed attempt.
        return ("queued", RETRYING) if run_status == "running" else None
    if rq_status in ("failed", "stopped"):
        return ("failed", GAVE_UP)
    if rq_status == "canceled":
        return ("cancelled", None)
    if rq_status == "finished":  # the job returned; its run's last write was lost
        return ("succeeded", None)
    return None  # started: a live worker has it (RQ's own sweep catches a dead one)


def sweep_runs(redis: Redis) -> dict[str, int]:
    """Bring active runs whose RQ job is no longer running in line with RQ; returns counts."""
    from rq.job import Job

    with db.engine.connect() as conn:
        runs = conn.execute(
            select(RUNS.c.id, RUNS.c.status, RUNS.c.rq_job_id, RUNS.c.updated_at)
            .where(
                RUNS.c.rq_job_id.is_not(None),
                # Running runs are few (one per work-horse); queued ones can be many,
                # and are only stuck if their job is gone, so the settled ones only.
                or_(
                    RUNS.c.status == "running",
                    and_(RUNS.c.status == "queued", RUNS.c.updated_at < utcnow() - FRESH),
                ),
            )
            .order_by(RUNS.c.updated_at)
            .limit(BATCH)
        ).all()
    if not runs:
        return {}
    jobs = Job.fetch_many([run.rq_job_id for run in runs], connection=redis)
    counts: dict[str, int] = {}
    for run, job in zip(runs, jobs, strict=True):
        change = _run_state(job.get_status(refresh=False) if job else None, run.status)
        if change and _update(run, *change):
            counts[change[0]] = counts.get(change[0], 0) + 1
            log.warning("job run %s (%s): %s", run.id, change[0], change[1] or "")
    return counts


def _update(run, status: str, error: str | None) -> bool:
    values: dict = {"status": status}
    if status != "queued":
        values["finished_at"] = utcnow()
    if error:
        values["error"] = error
    with db.engine.begin() as conn:
        # Only if nothing wrote to the run since it was read (a retry may have begun).
        return bool(
            conn.execute(
                update(RUNS)
                .where(
                    and_(
                        RUNS.c.id == run.id,
                        RUNS.c.status == run.status,
                        RUNS.c.updated_at == run.updated_at,
                    )
                )
                .values(**values)
            ).rowcount
        )
