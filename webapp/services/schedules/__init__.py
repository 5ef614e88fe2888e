"""The pipeline's schedules: when each is due, in whose time zone, and the once-per-period claim.

RQ's CronScheduler knows one clock (UTC) and keeps no memory of what it ran. Our
schedules run at local times (daily discovery at 02:00 in each workspace's time
zone), and must run once per period even with two scheduler processes or after a
restart. So the scheduler enqueues only a frequent tick (`schedules.tick`), and the
tick, for each schedule and workspace, works out the latest period that is due and
claims it with an insert into `scheduled_periods` whose unique key lets one insert
win. The winner enqueues the job. A period missed while no scheduler ran is the
latest due one at the next tick, so it is caught up once; older missed periods are
not replayed. A period that began before its workspace existed is not run.

App-wide cron jobs (`PERIODIC_JOBS` entries with a `cron`, e.g. the campaigns'
nightly resync) get the same claim, with the scope "all", in UTC.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from croniter import croniter
from sqlalchemy.orm import Session

from webapp.models.accounts import Workspace
from webapp.models.jobs import JobRun
from webapp.models.schedules import APP_WIDE, ScheduledPeriod


@dataclass(frozen=True)
class Schedule:
    name: str
    label: str
    cron: str  # in the workspace's time zone (app-wide ones: UTC)
    kind: str  # the job it enqueues: (workspace id) for per-workspace schedules
    per_workspace: bool = True
    # The job also gets the period's start (ISO 8601), e.g. trends knows which week.
    with_period: bool = False


# docs/contracts.md#schedules
WORKSPACE_SCHEDULES: tuple[Schedule, ...] = (
    Schedule("credit_reset", "Credit reset", "0 0 * * *", "pipeline.reset_credits"),
    Schedule("discovery", "Daily discovery", "0 2 * * *", "pipeline.discover_workspace"),
    Schedule("trends", "Weekly trends", "0 3 * * 0", "pipeline.trends", with_period=True),
)


@dataclass(frozen=True)
class Due:
    schedule: Schedule
    workspace_id: uuid.UUID | None
    period_start: datetime  # UTC

    @property
    def scope(self) -> str:
        return str(self.workspace_id) if self.workspace_id else APP_WIDE


def app_wide_schedules() -> tuple[Schedule, ...]:
    """The cron entries of PERIODIC_JOBS, claimed app-wide by the tick."""
    from webapp.jobs.registry import job_label
    from webapp.jobs.schedule import PERIODIC_JOBS

    return tuple(
        Schedule(p.kind, job_label(p.kind), p.cron, p.kind, per_workspace=False)
        for p in PERIODIC_JOBS
        if p.cron
    )


def all_schedules() -> tuple[Schedule, ...]:
    return WORKSPACE_SCHEDULES + app_wide_schedules()


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def latest_due(cron: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The start (UTC) of the latest period of `cron` in `zone` at or before `now`."""
    # croniter's get_prev is strict; a second past the whole second makes "at" count.
    base = now.astimezone(zone).replace(microsecond=0) + timedelta(seconds=1)
    return croniter(cron, base).get_prev(datetime).astimezone(UTC)


def next_due(cron: str, zone: ZoneInfo, now: datetime) -> datetime:
    return croniter(cron, now.astimezone(zone)).get_next(datetime).astimezone(UTC)


def due_periods(
    session: Session, now: datetime, schedules: tuple[Schedule, ...] | None = None
) -> list[Due]:
    """The latest due period of every schedule and workspace that nobody has claimed yet."""
    schedules = all_schedules() if schedules is None else schedules
    candidates: list[Due] = []
    per_zone: dict[tuple[str, str], datetime] = {}
    workspaces = session.execute(
        sa.select(Workspace.id, Workspace.timezone, Workspace.created_at)
    ).all()
    for schedule in schedules:
        if not schedule.per_workspace:
            candidates.append(Due(schedule, None, latest_due(schedule.cron, zone_of("UTC"), now)))
            continue
        for workspace_id, tz, created_at in workspaces:
            key = (schedule.cron, tz or "UTC")
            if key not in per_zone:
                per_zone[key] = latest_due(schedule.cron, zone_of(tz), now)
            start = per_zone[key]
            if created_at is not None and start < created_at:
                continue  # the workspace did not exist yet: nothing was missed
            candidates.append(Due(schedule, workspace_id, start))
    if not candidates:
        return []
    earliest = min(c.period_start for c in candidates)
    claimed = set(
        session.execute(
            sa.select(
                ScheduledPeriod.schedule, ScheduledPeriod.scope, ScheduledPeriod.period_start
            ).where(
                ScheduledPeriod.period_start >= earliest,
                ScheduledPeriod.schedule.in_({c.schedule.name for c in candidates}),
            )
        ).all()
    )
    return [c for c in candidates if (c.schedule.name, c.scope, c.period_start) not in claimed]


def claim(session: Session, due: Due, now: datetime | None = None) -> uuid.UUID | None:
    """Insert the period's claim; its id if this insert won, None if it was taken already.

    The caller commits before it starts the job, so a rival's insert finds the row.
    """
    values = {
        "id": uuid.uuid4(),
        "schedule": due.schedule.name,
        "scope": due.scope,
        "workspace_id": due.workspace_id,
        "period_start": due.period_start,
        "claimed_at": now or datetime.now(UTC),
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(ScheduledPeriod)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(ScheduledPeriod.id)
    )
    return session.execute(statement).scalar()


def release(session: Session, claim_id: uuid.UUID) -> None:
    """Give a claim back (its job could not be started): the next tick tries again."""
    session.execute(sa.delete(ScheduledPeriod).where(ScheduledPeriod.id == claim_id))


def record_run(session: Session, claim_id: uuid.UUID, run_id: uuid.UUID | None) -> None:
    session.execute(
        sa.update(ScheduledPeriod).where(ScheduledPeriod.id == claim_id).values(run_id=run_id)
    )


@dataclass(frozen=True)
class ScheduleStatus:
    schedule: Schedule
    zone: str
    last: ScheduledPeriod | None
    last_run: JobRun | None
    next_at: datetime


def schedule_overview(
    session: Session, workspace: Workspace, now: datetime
) -> list[ScheduleStatus]:
    """Each schedule as the workspace sees it: its last claimed period and run, and the next."""
    rows = []
    for schedule in all_schedules():
        zone_name = (workspace.timezone or "UTC") if schedule.per_workspace else "UTC"
        scope = str(workspace.id) if schedule.per_workspace else APP_WIDE
        last = session.scalars(
            sa.select(ScheduledPeriod)
            .where(ScheduledPeriod.scope == scope, ScheduledPeriod.schedule == schedule.name)
            .order_by(ScheduledPeriod.period_start.desc())
            .limit(1)
        ).first()
        run = session.get(JobRun, last.run_id) if last is not None and last.run_id else None
        if run is not None and run.workspace_id not in (None, workspace.id):
            run = None
        rows.append(
            ScheduleStatus(
                schedule, zone_name, last, run, next_due(schedule.cron, zone_of(zone_name), now)
            )
        )
    return rows
