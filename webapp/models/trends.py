"""Weekly topic trends: how many leads a topic brought in a week, against the week before."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import created_at_column, uuid_pk, workspace_fk

DIRECTIONS = ("up", "down", "stable")


class TopicTrend(db.Model):
    __tablename__ = "topic_trends"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "week_start", "topic"),
        sa.CheckConstraint("direction in ('up', 'down', 'stable')", name="direction"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    topic: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    # The local Sunday the week began on (weeks run Sunday to Sunday, workspace time).
    week_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    volume: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    previous_volume: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # None when the week before had nothing to compare with.
    change_pct: Mapped[float | None] = mapped_column(sa.Float)
    direction: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
