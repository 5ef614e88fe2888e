"""The events outbox: written in the change's transaction, published later by a relay."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow, workspace_fk

EVENT_TYPES = (
    "LeadCreated",
    "LeadStatusChanged",
    "LeadAssigned",
    "LeadDelivered",  # the pipeline delivered it (webapp/services/pipeline/delivery.py)
    "LeadQualified",  # ... and it is hot or warm
)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_unpublished", "published_at", "id"),)

    # An increasing integer gives the relay a total order to read the outbox in.
    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    event_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
