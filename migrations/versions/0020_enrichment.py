"""Enrichment, delivery and platform upload: contacts, deliveries, the upload log, billing

Revision ID: 0020_enrichment
Revises: 0019_discovery
"""

import sqlalchemy as sa
from alembic import op

from webapp.sqlite_batch import indexes_kept

revision = "0020_enrichment"
down_revision = "0019_discovery"
branch_labels = None
depends_on = None

LEAD_COLUMNS = (
    ("enrichment_started_at", sa.DateTime(timezone=True)),
    ("enrichment_completed_at", sa.DateTime(timezone=True)),
    ("enrichment_skip_reason", sa.String(255)),
    ("enrichment_error", sa.String(1000)),
    ("upload_requested_at", sa.DateTime(timezone=True)),
    ("upload_error", sa.String(1000)),
)


def _workspace():
    return sa.Column(
        "workspace_id",
        sa.Uuid(),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
    )


def _lead(nullable=False, ondelete="CASCADE"):
    return sa.Column(
        "lead_id", sa.Uuid(), sa.ForeignKey("leads.id", ondelete=ondelete), nullable=nullable
    )


def upgrade():
    with indexes_kept(op.get_bind(), "leads"), op.batch_alter_table("leads") as batch:
        for name, type_ in LEAD_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))

    op.create_table(
        "lead_contacts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        _lead(),
        sa.Column("full_name", sa.String(255)),
        sa.Column("first_name", sa.String(120)),
        sa.Column("last_name", sa.String(120)),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_status", sa.String(32)),
        sa.Column("title", sa.String(255)),
        sa.Column("seniority", sa.String(64)),
        sa.Column("department", sa.String(64)),
        sa.Column("linkedin_url", sa.String(500)),
        sa.Column("phone", sa.String(32)),
        sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column(
            "core_person_id", sa.Uuid(), sa.ForeignKey("core_people.id", ondelete="SET NULL")
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lead_id", "email", name="uq_lead_contacts_lead_email"),
    )
    op.create_index("ix_lead_contacts_workspace_id", "lead_contacts", ["workspace_id"])
    op.create_index("ix_lead_contacts_lead", "lead_contacts", ["lead_id"])

    op.create_table(
        "lead_deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        _lead(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(1000)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lead_id", "channel", name="uq_lead_deliveries_lead_channel"),
        sa.CheckConstraint("channel in ('email', 'slack', 'webhook')", name="channel"),
        sa.CheckConstraint("status in ('sent', 'failed', 'skipped')", name="status"),
    )
    op.create_index("ix_lead_deliveries_workspace_id", "lead_deliveries", ["workspace_id"])

    op.create_table(
        "platform_uploads",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("lead_ids", sa.JSON(), nullable=False),
        sa.Column("lead_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("response_code", sa.Integer()),
        sa.Column("error", sa.String(1000)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status in ('succeeded', 'failed')", name="status"),
    )
    op.create_index(
        "ix_platform_uploads_ws_created", "platform_uploads", ["workspace_id", "created_at"]
    )

    op.create_table(
        "billing_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        sa.Column("kind", sa.String(32), nullable=False),
        _lead(nullable=True, ondelete="SET NULL"),
        sa.Column("platform", sa.String(64)),
        sa.Column(
            "upload_id", sa.Uuid(), sa.ForeignKey("platform_uploads.id", ondelete="SET NULL")
        ),
        sa.Column("units", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("amount", sa.Numeric(12, 2)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "lead_id", "platform", name="uq_billing_events_kind_lead"),
    )
    op.create_index(
        "ix_billing_events_ws_created", "billing_events", ["workspace_id", "created_at"]
    )


def downgrade():
    op.drop_table("billing_events")
    op.drop_table("platform_uploads")
    op.drop_table("lead_deliveries")
    op.drop_table("lead_contacts")
    with indexes_kept(op.get_bind(), "leads"), op.batch_alter_table("leads") as batch:
        for name, _type in reversed(LEAD_COLUMNS):
            batch.drop_column(name)
