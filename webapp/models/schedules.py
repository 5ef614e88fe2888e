"""Scheduled periods: the claim that makes a scheduled job run once per period.

The schedules tick (webapp/jobs/schedules.py) inserts one row per schedule, scope and
due period; the unique key lets exactly one insert win, and only the winner enqueues
the job. A second scheduler, a restart or a retried tick then finds the row and does
nothing. `scope` is the workspace's id for per-workspace schedules (their periods
follow the workspace's time zone) or "all" for the app-wide cron jobs (UTC).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, created_at_column, uuid_pk

APP_WIDE = "all"


class ScheduledPeriod(db.Model):
    __tablename__ = "scheduled_periods"
    __table_args__ = (
        sa.UniqueConstraint("schedule", "scope", "period_start"),
        # The schedules page: a workspace's latest claim per schedule.
        sa.Index("ix_scheduled_periods_scope_schedule", "scope", "schedule", "period_start"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    schedule: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    scope: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    # Null for app-wide schedules; deleting a workspace deletes its claims.
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    period_start: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    claimed_at: Mapped[datetime] = created_at_column()
    # The run the claim started (the Jobs page's row); null if none was recorded.
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("job_runs.id", ondelete="SET NULL")
    )
