"""Job runs as the Jobs page and the pages that start work see them, always workspace-scoped.

Admins see every run of their workspace; a rep sees the runs they started. A run
outside that view is NotFound, exactly like a run of another workspace.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from webapp.models.base import utcnow
from webapp.models.jobs import RUN_STATUSES, JobRun
from webapp.services.errors import NotFound
from webapp.services.paging import page_number

PER_PAGE = 50


@dataclass(frozen=True)
class Viewer:
    """Whose eyes: the workspace, the user, and whether they see everyone's runs."""

    workspace_id: uuid.UUID
    user_id: uuid.UUID
    sees_all: bool

    @classmethod
    def of(cls, workspace, user, membership) -> Viewer:
        return cls(workspace.id, user.id, membership.is_admin)


@dataclass
class RunsPage:
    runs: list[JobRun]
    total: int
    page: int


def _visible(viewer: Viewer) -> Select:
    query = select(JobRun).where(JobRun.workspace_id == viewer.workspace_id)
    if not viewer.sees_all:
        query = query.where(JobRun.started_by == viewer.user_id)
    return query


def list_runs(
    session: Session,
    viewer: Viewer,
    kind: str | None = None,
    status: str | None = None,
    page=1,
    per_page: int = PER_PAGE,
) -> RunsPage:
    """Runs newest first, filtered by kind and status (an unknown status matches nothing)."""
    query = _visible(viewer)
    if kind:
        query = query.where(JobRun.kind == kind)
    if status:
        query = query.where(JobRun.status == (status if status in RUN_STATUSES else ""))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number(page, total, per_page)
    runs = (
        session.execute(
            query.order_by(JobRun.created_at.desc(), JobRun.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return RunsPage(list(runs), total, page)


def kinds_seen(session: Session, viewer: Viewer) -> list[str]:
    """The kinds this viewer has runs of, for the filter's choices."""
    query = _visible(viewer).with_only_columns(JobRun.kind).distinct().order_by(JobRun.kind)
    return list(session.execute(query).scalars())


def get_run(session: Session, viewer: Viewer, run_id) -> JobRun:
    try:
        wanted = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError:
        raise NotFound("JobRun") from None
    run = session.execute(_visible(viewer).where(JobRun.id == wanted)).scalar()
    if run is None:
        raise NotFound("JobRun")
    return run


def child_runs(session: Session, run: JobRun) -> list[JobRun]:
    """The steps of a chain and the retries of this run, oldest first."""
    query = (
        select(JobRun)
        .where(
            JobRun.workspace_id == run.workspace_id,
            (JobRun.parent_id == run.id) | (JobRun.retry_of_id == run.id),
        )
        .order_by(JobRun.created_at, JobRun.id)
    )
    return list(session.execute(query).scalars())


def latest_run(
    session: Session,
    workspace_id: uuid.UUID,
    kinds: str | tuple[str, ...],
    subject: tuple[str, object] | None = None,
    started_by: uuid.UUID | None = None,
    within: timedelta | None = None,
    status: str | None = None,
) -> JobRun | None:
    """The newest run of `kinds` in the workspace (about `subject`, by `started_by`).

    With `within`, an ended run older than that is not returned: a page shows the
    outcome of work just done, not of last week's.
    """
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    query = select(JobRun).where(JobRun.workspace_id == workspace_id, JobRun.kind.in_(kinds))
    if subject is not None:
        query = query.where(JobRun.subject_type == subject[0], JobRun.subject_id == str(subject[1]))
    if started_by is not None:
        query = query.where(JobRun.started_by == started_by)
    if status is not None:
        query = query.where(JobRun.status == status)
    run = session.execute(query.order_by(JobRun.created_at.desc()).limit(1)).scalar()
    ended_long_ago = (
        run is not None
        and within is not None
        and run.finished
        and (run.finished_at or run.created_at) < utcnow() - within
    )
    return None if ended_long_ago else run
