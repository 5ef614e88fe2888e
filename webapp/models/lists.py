"""Lead lists: static lists of members, or dynamic lists of saved criteria.

The contract is docs/contracts.md#lists-campaigns.
"""

from __future__ import annotations

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

LIST_TYPES = ("static", "dynamic")


class LeadList(db.Model):
    __tablename__ = "lead_lists"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "name"),
        sa.CheckConstraint("list_type in ('static', 'dynamic')", name="list_type"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    list_type: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="static")
    # Dynamic lists keep the My Leads filter that defines them.
    criteria: Mapped[dict | None] = mapped_column(sa.JSON)
    lead_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_archived: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    tags: Mapped[list | None] = mapped_column(sa.JSON)
    meta: Mapped[dict | None] = mapped_column("metadata", sa.JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    members: Mapped[list[LeadListMember]] = relationship(
        back_populates="lead_list", cascade="all, delete-orphan", passive_deletes=True
    )


class LeadListMember(db.Model):
    __tablename__ = "lead_list_members"
    __table_args__ = (
        sa.UniqueConstraint("lead_list_id", "lead_id"),
        sa.Index("ix_lead_list_members_lead_id", "lead_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    lead_list_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lead_lists.id", ondelete="CASCADE"), nullable=False
    )
    lead_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(sa.Text)

    lead_list: Mapped[LeadList] = relationship(back_populates="members")
