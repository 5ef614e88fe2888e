"""What the pipeline did to a lead after discovery: contacts found, deliveries, uploads, billing.

Each row is the idempotency key of its step: a contact once per (lead, email), a
delivery once per (lead, channel), an upload recorded on the lead and in the log.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, created_at_column, utcnow, uuid_pk, workspace_fk

ENRICHMENT_STATUSES = ("pending", "running", "completed", "skipped", "failed")
LEAD_DELIVERY_STATUSES = ("pending", "delivered", "partial", "failed")
CHANNELS = ("email", "slack", "webhook")
# "sending": committed before a send that has no idempotency (Slack, SMTP); "unknown": the
# worker died while sending, so it may or may not have arrived (not resent; Redeliver sends).
CHANNEL_STATUSES = ("sent", "failed", "skipped", "sending", "unknown")
UPLOAD_STATUSES = ("succeeded", "failed")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _lead_fk() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False)


class LeadContact(db.Model):
    """A person at the lead's company, found by the contact provider."""

    __tablename__ = "lead_contacts"
    __table_args__ = (
        sa.UniqueConstraint("lead_id", "email", name="uq_lead_contacts_lead_email"),
        sa.Index("ix_lead_contacts_lead", "lead_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    first_name: Mapped[str | None] = mapped_column(sa.String(120))
    last_name: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    email_status: Mapped[str | None] = mapped_column(sa.String(32))
    title: Mapped[str | None] = mapped_column(sa.String(255))
    seniority: Mapped[str | None] = mapped_column(sa.String(64))
    department: Mapped[str | None] = mapped_column(sa.String(64))
    linkedin_url: Mapped[str | None] = mapped_column(sa.String(500))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    is_primary: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    core_person_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()


class LeadDelivery(db.Model):
    """One channel's delivery of one lead: sent once, whatever re-runs follow."""

    __tablename__ = "lead_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("lead_id", "channel", name="uq_lead_deliveries_lead_channel"),
        sa.CheckConstraint(f"channel in ({_in(CHANNELS)})", name="channel"),
        sa.CheckConstraint(f"status in ({_in(CHANNEL_STATUSES)})", name="status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    lead_id: Mapped[uuid.UUID] = _lead_fk()
    channel: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class PlatformUpload(db.Model):
    """The upload log: one row per batch sent to a platform (or refused by it)."""

    __tablename__ = "platform_uploads"
    __table_args__ = (
        sa.CheckConstraint(f"status in ({_in(UPLOAD_STATUSES)})", name="status"),
        sa.Index("ix_platform_uploads_ws_created", "workspace_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    platform: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    lead_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    lead_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    response_code: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = created_at_column()


class BillingEvent(db.Model):
    """Something the workspace is billed for: today one per lead uploaded to a platform."""

    __tablename__ = "billing_events"
    __table_args__ = (
        # One charge per lead per platform upload, so a re-run bills nothing twice.
        sa.UniqueConstraint("kind", "lead_id", "platform", name="uq_billing_events_kind_lead"),
        sa.Index("ix_billing_events_ws_created", "workspace_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("leads.id", ondelete="SET NULL")
    )
    platform: Mapped[str | None] = mapped_column(sa.String(64))
    upload_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("platform_uploads.id", ondelete="SET NULL")
    )
    units: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    created_at: Mapped[datetime] = created_at_column()
