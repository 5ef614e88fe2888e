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
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="new")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.String(100))
    pledged_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    donated_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    total_talk_time: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_call_duration: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    campaign: Mapped[Campaign] = relationship()
