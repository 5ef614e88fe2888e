"""Job runs: one row per piece of background work, so people can see it happen.

A run is created (queued) by the enqueue facade before the work reaches a worker,
moved to running / succeeded / failed / cancelled by the runner around the job, and
fed progress and counts by the job itself. Steps of a chain point at their parent
run, so a chain is one tree; a retry from the Jobs page points at the run it retries.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, created_at_column, updated_at_column, uuid_pk

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
ACTIVE_STATUSES = ("queued", "running")
FINISHED_STATUSES = ("succeeded", "failed", "cancelled")
ERROR_MAX = 2000
MESSAGE_MAX = 500


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (
        # The Jobs page: a workspace's runs newest first, filtered by kind or status,
        # or only the signed-in rep's own.
        sa.Index("ix_job_runs_ws_created", "workspace_id", "created_at", "id"),
        sa.Index("ix_job_runs_ws_kind_created", "workspace_id", "kind", "created_at"),
        sa.Index("ix_job_runs_ws_status_created", "workspace_id", "status", "created_at"),
        sa.Index("ix_job_runs_ws_user_created", "workspace_id", "started_by", "created_at"),
        # "Its" run for a page: the latest run about this endpoint, delivery, list...
        sa.Index("ix_job_runs_subject", "subject_type", "subject_id", "created_at"),
        # Sweeps of runs that stay active too long (a killed worker).
        sa.Index("ix_job_runs_status_updated", "status", "updated_at"),
        sa.CheckConstraint(
            "status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # Null only for system-wide periodic work (the outbox relay runs for every workspace).
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    started_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="queued")
    progress_done: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    progress_total: Mapped[int | None] = mapped_column(sa.Integer)
    counts: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # What Retry needs to run the same work again: the job's own arguments (ids, never rows).
    args: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    kwargs: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # The outcome a page shows: one sentence, and for some kinds a small document
    # (the duplicate pairs a scan found).
    message: Mapped[str | None] = mapped_column(sa.String(MESSAGE_MAX))
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    queue: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="default")
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(64))
    subject_type: Mapped[str | None] = mapped_column(sa.String(32))
    subject_id: Mapped[str | None] = mapped_column(sa.String(64))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("job_runs.id", ondelete="CASCADE"), index=True
    )
    retry_of_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("job_runs.id", ondelete="SET NULL"), index=True
    )
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return max(0, min(100, round(100 * self.progress_done / self.progress_total)))

    def __repr__(self) -> str:
        return f"<JobRun {self.kind} {self.status}>"
