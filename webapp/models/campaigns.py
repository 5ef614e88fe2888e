"""Campaigns: worked from lead lists, one row per lead in the campaign.

The contract is docs/contracts.md#lists-campaigns.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import (
    UTCDateTime,
    created_at_column,
    updated_at_column,
    uuid_pk,
    workspace_fk,
)

CAMPAIGN_STATUSES = ("draft", "active", "paused", "completed")
CAMPAIGN_LEAD_STATUSES = ("new", "queued", "calling", "contacted", "converted", "failed")
# A lead waits in the campaign's queue while its status is one of these.
QUEUE_STATUSES = ("new", "queued", "calling")
AMOUNTS_GIVEN = "pledged_amount IS NOT NULL OR donated_amount IS NOT NULL"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="draft")
    max_attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=3)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_archived: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    lead_lists: Mapped[list[CampaignLeadList]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", passive_deletes=True
    )


class CampaignLeadList(db.Model):
    __tablename__ = "campaign_lead_lists"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "lead_list_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    lead_list_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lead_lists.id", ondelete="CASCADE"), nullable=False, index=True
    )
    priority: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    max_attempts_override: Mapped[int | None] = mapped_column(sa.Integer)
    filter_criteria: Mapped[dict | None] = mapped_column(sa.JSON)
    total_leads: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    contacted_leads: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    successful_leads: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship(back_populates="lead_lists")


class CampaignLead(db.Model):
    __tablename__ = "campaign_leads"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "lead_id"),
        sa.Index("ix_campaign_leads_lead_id", "lead_id"),
        # The queue: a campaign's waiting leads by list priority, then next attempt time.
        sa.Index(
            "ix_campaign_leads_queue",
            "campaign_id",
            "status",
            "list_priority",
            "next_attempt_at",
            "id",
        ),
        # Few rows each: who holds a lead now, and the rows with amounts (the totals).
        sa.Index(
            "ix_campaign_leads_locked_by",
            "locked_by_id",
            postgresql_where=sa.text("locked_by_id IS NOT NULL"),
            sqlite_where=sa.text("locked_by_id IS NOT NULL"),
        ),
        sa.Index(
            "ix_campaign_leads_amounts",
            "campaign_id",
            postgresql_where=sa.text(AMOUNTS_GIVEN),
            sqlite_where=sa.text(AMOUNTS_GIVEN),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    lead_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    lead_list_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("lead_lists.id", ondelete="SET NULL")
    )
    # The source list's priority, copied here so the queue reads one index in order.
    list_priority: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=1, server_default="1"
    )
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="new")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.String(100))
    pledged_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    donated_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    total_talk_time: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_call_duration: Mapped[int | None] = mapped_column(sa.Integer)
    # "Work next lead" locks the lead to one rep until locked_until.
    locked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the lead left the queue by reaching its max attempts (undone if raised).
    exhausted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    campaign: Mapped[Campaign] = relationship()


class CampaignLeadAttempt(db.Model):
    """One recorded attempt on a campaign lead: who, when and what they entered."""

    __tablename__ = "campaign_lead_attempts"
    __table_args__ = (
        sa.Index("ix_campaign_lead_attempts_campaign_lead", "campaign_lead_id", "attempted_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    campaign_lead_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("campaign_leads.id", ondelete="CASCADE"), nullable=False
    )
    # The lead is the campaign lead's: a merge that moves the row keeps its history.
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    attempted_at: Mapped[datetime] = created_at_column()
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    outcome: Mapped[str | None] = mapped_column(sa.String(100))
    pledged_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    donated_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    talk_time: Mapped[int | None] = mapped_column(sa.Integer)
    call_duration: Mapped[int | None] = mapped_column(sa.Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
