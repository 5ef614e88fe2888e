"""Lead merges, kept whole so a merge can be undone."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow, uuid_pk, workspace_fk


class LeadMerge(db.Model):
    __tablename__ = "lead_merges"

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    # The lead holding what the merge brought: when it is merged away in turn, the record moves
    # to the lead it went into (listed in that merge's moved["merges"]). Deleting it deletes this.
    kept_lead_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # The merged-away lead is deleted; its id comes back on undo.
    other_lead_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    snapshot: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    # What moved: {"activities": [...], "tags": [...], "tags_added": [...], "list_members": [...],
    # "lists_dropped": [...], "campaign_leads": [...], "campaign_rows_dropped": [...],
    # "merges": [...]} (records from before "merges" existed lack it)
    moved: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    filled: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    merged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
