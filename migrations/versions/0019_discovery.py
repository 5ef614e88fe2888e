"""Discovery: signal types, saved queries, the lead's query, workspace credits

Revision ID: 0019_discovery
Revises: 0018_providers

Every workspace gets seed 001's six signal types.
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from webapp.sqlite_batch import indexes_kept

revision = "0019_discovery"
down_revision = "0018_providers"
branch_labels = None
depends_on = None

DEFAULT_SIGNAL_TYPES = (
    ("Company researching topic", "high", "Direct indication of interest"),
    ("Visited competitor website", "high", "Evaluating alternatives"),
    ("Downloaded whitepaper", "medium", "Learning about solutions"),
    ("Attended webinar", "medium", "Educating themselves"),
    ("Social media engagement", "low", "Passive interest"),
    ("Job posting related to topic", "medium", "Building capability"),
)


def upgrade():
    signal_types = op.create_table(
        "signal_types",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("signal_type", sa.String(length=255), nullable=False),
        sa.Column("signal_key", sa.String(length=255), nullable=False),
        sa.Column("strength", sa.String(length=8), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "strength in ('high', 'medium', 'low')", name=op.f("ck_signal_types_strength")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_signal_types_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_types")),
        sa.UniqueConstraint(
            "workspace_id", "signal_key", name=op.f("uq_signal_types_workspace_id_signal_key")
        ),
    )
    op.create_table(
        "discovery_queries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("country", sa.String(length=120), nullable=True),
        sa.Column("state", sa.String(length=120), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("size_min", sa.Integer(), nullable=True),
        sa.Column("size_max", sa.Integer(), nullable=True),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("daily_limit", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("saved_on", sa.Date(), nullable=True),
        sa.Column("saved_that_day", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "daily_limit between 1 and 1000", name=op.f("ck_discovery_queries_daily_limit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_discovery_queries_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_discovery_queries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_queries")),
    )
    op.create_index(
        "ix_discovery_queries_ws_name", "discovery_queries", ["workspace_id", "name"], unique=False
    )
    with indexes_kept(op.get_bind(), "leads"), op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("discovery_query_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_leads_discovery_query_id_discovery_queries"),
            "discovery_queries",
            ["discovery_query_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("workspaces") as batch_op:
        batch_op.add_column(sa.Column("daily_credit_limit", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("daily_credits_used", sa.Integer(), server_default="0", nullable=False)
        )

    bind = op.get_bind()
    workspace_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM workspaces"))]
    now = datetime.now(UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "workspace_id": workspace_id
            if isinstance(workspace_id, uuid.UUID)
            else uuid.UUID(str(workspace_id)),
            "signal_type": name,
            "signal_key": " ".join(name.lower().split()),
            "strength": strength,
            "description": description,
            "created_at": now,
            "updated_at": now,
        }
        for workspace_id in workspace_ids
        for name, strength, description in DEFAULT_SIGNAL_TYPES
    ]
    if rows:
        op.bulk_insert(signal_types, rows)


def downgrade():
    with op.batch_alter_table("workspaces") as batch_op:
        batch_op.drop_column("daily_credits_used")
        batch_op.drop_column("daily_credit_limit")
    with indexes_kept(op.get_bind(), "leads"), op.batch_alter_table("leads") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_leads_discovery_query_id_discovery_queries"), type_="foreignkey"
        )
        batch_op.drop_column("discovery_query_id")
    op.drop_index("ix_discovery_queries_ws_name", table_name="discovery_queries")
    op.drop_table("discovery_queries")
    op.drop_table("signal_types")
