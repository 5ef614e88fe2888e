"""CSV imports: the import itself, what it changed on each lead (for revert), its rejected rows.

An import is one uploaded file run by the `imports.run` job in batches. Each batch
commits its leads, change records, rejected rows and the import's counts together
with `checkpoint` (the number of data rows read so far), so a killed worker's retry
continues after the last committed batch with nothing doubled.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, created_at_column, uuid_pk, workspace_fk
from webapp.models.leads import Lead

DUPLICATE_POLICIES = ("skip", "fill", "overwrite")
CHANGE_KINDS = ("created", "updated")
COUNT_NAMES = ("total", "done", "created", "updated", "skipped", "invalid")


class LeadImport(db.Model):
    __tablename__ = "lead_imports"
    __table_args__ = (
        sa.Index("ix_lead_imports_ws_created", "workspace_id", "created_at", "id"),
        sa.CheckConstraint(
            "duplicate_policy in ('skip', 'fill', 'overwrite')", name="duplicate_policy"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    job_run_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("job_runs.id", ondelete="SET NULL")
    )
    file_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    # Relative to the instance folder (imports/<workspace>/<id>.<ext>).
    stored_path: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    file_format: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="csv")
    encoding: Mapped[str | None] = mapped_column(sa.String(32))
    delimiter: Mapped[str | None] = mapped_column(sa.String(4))
    headers: Mapped[list | None] = mapped_column(sa.JSON)
    # One entry per column: a lead field, "ignore" or "raw" (kept in raw_data).
    mapping: Mapped[list | None] = mapped_column(sa.JSON)
    duplicate_policy: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="skip")
    source: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="csv_import")
    tags: Mapped[list | None] = mapped_column(sa.JSON)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    lead_list_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("lead_lists.id", ondelete="SET NULL")
    )
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    total_rows: Mapped[int | None] = mapped_column(sa.Integer)
    done_rows: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    updated_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    skipped_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    invalid_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # Data rows read and committed so far: a retry skips this many.
    checkpoint: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revert_run_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("job_runs.id", ondelete="SET NULL")
    )

    job_run = relationship("JobRun", foreign_keys=[job_run_id], lazy="joined")
    revert_run = relationship("JobRun", foreign_keys=[revert_run_id])
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    lead_list = relationship("LeadList", lazy="joined")

    @property
    def status(self) -> str:
        if self.reverted_at is not None:
            return "reverted"
        if self.finished_at is not None:
            return "finished"
        run = self.job_run
        if run is not None and run.status in ("failed", "cancelled"):
            return run.status
        return "running" if self.started_at else "queued"


class ImportChange(db.Model):
    """What an import did to one lead: created it, or changed fields (their old values kept)."""

    __tablename__ = "lead_import_changes"
    __table_args__ = (
        sa.UniqueConstraint("import_id", "lead_id"),
        sa.Index("ix_lead_import_changes_lead_id", "lead_id"),
        sa.CheckConstraint("kind in ('created', 'updated')", name="kind"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    import_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lead_imports.id", ondelete="CASCADE"), nullable=False
    )
    lead_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    # Field -> value before the import, and field -> value the import wrote ("changed since").
    old_values: Mapped[dict | None] = mapped_column(sa.JSON)
    new_values: Mapped[dict | None] = mapped_column(sa.JSON)
    membership_added: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    tags_added: Mapped[list | None] = mapped_column(sa.JSON)


class ImportRejectedRow(db.Model):
    __tablename__ = "lead_import_rejected_rows"
    __table_args__ = (sa.Index("ix_lead_import_rejected_rows_import", "import_id", "line"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    import_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lead_imports.id", ondelete="CASCADE"), nullable=False
    )
    line: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    values: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)


# Rows without an email are matched by LinkedIn URL, then phone (a re-import never doubles).
sa.Index(
    "ix_leads_ws_linkedin",
    Lead.workspace_id,
    Lead.linkedin_url,
    postgresql_where=sa.text("linkedin_url IS NOT NULL"),
    sqlite_where=sa.text("linkedin_url IS NOT NULL"),
)
sa.Index(
    "ix_leads_ws_phone",
    Lead.workspace_id,
    Lead.phone,
    postgresql_where=sa.text("phone IS NOT NULL"),
    sqlite_where=sa.text("phone IS NOT NULL"),
)
