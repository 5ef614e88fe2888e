"""Capture forms, their spam quarantine and idempotency keys."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import (
    UTCDateTime,
    created_at_column,
    updated_at_column,
    utcnow,
    uuid_pk,
    workspace_fk,
)

ASSIGNMENT_MODES = ("none", "owner", "round_robin")
CAPTURE_SOURCES = ("website", "referral", "social", "other")
DEFAULT_RATE_LIMIT_PER_HOUR = 10
DEFAULT_MIN_FILL_SECONDS = 3


def new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


ASSIGNMENT_LABELS = {
    "none": "Leave unassigned",
    "owner": "To one owner",
    "round_robin": "Round-robin over chosen reps",
}


class CaptureForm(db.Model):
    __tablename__ = "capture_forms"
    __table_args__ = (
        sa.CheckConstraint("assignment_mode in ('none', 'owner', 'round_robin')", name="mode"),
        sa.CheckConstraint("rate_limit_per_hour > 0", name="rate_limit"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    public_key: Mapped[str] = mapped_column(
        sa.String(64), nullable=False, unique=True, default=new_public_key
    )
    allowed_origins: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    default_source: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="website")
    assignment_mode: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="none")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Reps taking turns, as user id strings; the cursor says whose turn is next.
    round_robin_user_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    round_robin_cursor: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    thank_you_url: Mapped[str | None] = mapped_column(sa.String(500))
    rate_limit_per_hour: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=DEFAULT_RATE_LIMIT_PER_HOUR
    )
    min_fill_seconds: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=DEFAULT_MIN_FILL_SECONDS
    )
    notification_emails: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    slack_webhook_url: Mapped[str | None] = mapped_column(sa.String(500))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    owner = relationship("User", foreign_keys=[owner_id])

    @property
    def assignment_label(self) -> str:
        return ASSIGNMENT_LABELS[self.assignment_mode]


class SpamSubmission(db.Model):
    """A submission the spam guard held back: kept whole so an admin can release it."""

    __tablename__ = "spam_submissions"
    __table_args__ = (sa.Index("ix_spam_submissions_form_created", "form_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    form_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("capture_forms.id", ondelete="CASCADE"), nullable=False
    )
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_lead_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("leads.id", ondelete="SET NULL")
    )
    released_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    form: Mapped[CaptureForm] = relationship()


class IdempotencyKey(db.Model):
    """The first answer to a keyed POST, replayed when the client retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("form_id", "key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    form_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("capture_forms.id", ondelete="CASCADE"), nullable=False
    )
    key: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    request_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # None while the first request is still being handled.
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
