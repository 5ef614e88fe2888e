"""Discovery: the workspace's signal-type table and its saved discovery queries."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import (
    UTCDateTime,
    created_at_column,
    updated_at_column,
    uuid_pk,
    workspace_fk,
)

STRENGTHS = ("high", "medium", "low")
DEFAULT_DAILY_LIMIT = 50
# Seed 001's signal table: every workspace starts with it (services/pipeline/signals.py).
DEFAULT_SIGNAL_TYPES = (
    ("Company researching topic", "high", "Direct indication of interest"),
    ("Visited competitor website", "high", "Evaluating alternatives"),
    ("Downloaded whitepaper", "medium", "Learning about solutions"),
    ("Attended webinar", "medium", "Educating themselves"),
    ("Social media engagement", "low", "Passive interest"),
    ("Job posting related to topic", "medium", "Building capability"),
)


class SignalType(db.Model):
    __tablename__ = "signal_types"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "signal_key"),
        sa.CheckConstraint("strength in ('high', 'medium', 'low')", name="strength"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    signal_type: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    # signal_type lower-cased with spaces squeezed: how a provider's type is matched.
    signal_key: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    strength: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class DiscoveryQuery(db.Model):
    __tablename__ = "discovery_queries"
    __table_args__ = (
        sa.Index("ix_discovery_queries_ws_name", "workspace_id", "name"),
        sa.CheckConstraint("daily_limit between 1 and 1000", name="daily_limit"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    topic: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    country: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[str | None] = mapped_column(sa.String(120))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    size_min: Mapped[int | None] = mapped_column(sa.Integer)
    size_max: Mapped[int | None] = mapped_column(sa.Integer)
    industries: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    daily_limit: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=DEFAULT_DAILY_LIMIT
    )
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Companies saved on `saved_on` (the workspace's day): the daily limit counts them.
    saved_on: Mapped[date | None] = mapped_column(sa.Date)
    saved_that_day: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def location(self) -> str:
        return ", ".join(p for p in (self.city, self.state, self.country) if p)
