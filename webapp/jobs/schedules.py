"""The schedules tick and the scheduled pipeline jobs it starts (weekly trends, credit reset).

`schedules.tick` runs every minute (PERIODIC_JOBS). It claims each due period once
(webapp/services/schedules) and starts the schedule's job for the winner's claim only.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from webapp.extensions import db
from webapp.jobs.registry import UnknownJob, get_job, job
from webapp.services import schedules as svc

log = logging.getLogger(__name__)

TICK = "schedules.tick"
TRENDS = "pipeline.trends"
RESET_CREDITS = "pipeline.reset_credits"


@job(TICK, label="Schedules (every minute)")
def schedules_tick(run) -> int:
    started = run_tick(datetime.now(UTC), parent=run.id)
    if not started:
        run.discard()  # nothing was due: an idle tick is not worth a line on /jobs
        return 0
    run.count(started=len(started))
    run.tell(f"Started {len(started)} scheduled job{'' if len(started) == 1 else 's'}.")
    return len(started)


def run_tick(
    now: datetime,
    schedules: tuple[svc.Schedule, ...] | None = None,
    parent: uuid.UUID | None = None,
) -> list[svc.Due]:
    """Claim every due period and start its job; returns the periods this call started."""
    from webapp.jobs import enqueue

    session = db.session
    due = svc.due_periods(session, now, schedules)
    session.rollback()  # end the read transaction: each claim is its own
    started = []
    for item in due:
        try:
            get_job(item.schedule.kind)
        except UnknownJob:
            log.warning(
                "schedule %s: job %s is not in this build", item.schedule.name, item.schedule.kind
            )
            continue
        claim_id = svc.claim(session, item, now)
        session.commit()
        if claim_id is None:
            continue  # another scheduler (or an earlier tick) has it
        args = (str(item.workspace_id),) if item.workspace_id else ()
        if item.schedule.with_period:
            args += (item.period_start.isoformat(),)
        try:
            job_run = enqueue(
                item.schedule.kind,
                *args,
                workspace_id=item.workspace_id,
                parent=parent,
                subject=("schedule", item.schedule.name),
            )
        except Exception:
            log.exception("schedule %s: could not start %s", item.schedule.name, item.schedule.kind)
            db.session.rollback()
            svc.release(session, claim_id)
            session.commit()
            continue
        svc.record_run(session, claim_id, job_run.id if job_run else None)
        session.commit()
        started.append(item)
    return started


@job(TRENDS, label="Weekly trends")
def weekly_trends(run, workspace_id: str, period_start: str | None = None) -> int:
    from webapp.services.pipeline_metrics.trends import compute_weekly_trends

    at = datetime.fromisoformat(period_start) if period_start else datetime.now(UTC)
    trends = compute_weekly_trends(db.session, uuid.UUID(workspace_id), at)
    db.session.commit()
    run.count(topics=len(trends))
    run.tell(f"{len(trends)} topic{'' if len(trends) == 1 else 's'} measured.")
    return len(trends)


@job(RESET_CREDITS, label="Credit reset")
def reset_workspace_credits(run, workspace_id: str) -> int:
    from webapp.services.pipeline.credits import reset_credits

    changed = reset_credits(db.session, uuid.UUID(workspace_id))
    db.session.commit()
    run.tell("Today's credits are back to zero used.")
    return changed
