"""Campaigns: archive, the queue (list priority, lock, index) and the attempts history

Revision ID: 0017_campaigns
Revises: 0016_imports
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_campaigns"
down_revision = "0016_imports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_archived", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("created_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_campaigns_created_by_id_users"),
            "users",
            ["created_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("campaign_leads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("list_priority", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("locked_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("exhausted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_campaign_leads_locked_by_id_users"),
            "users",
            ["locked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_campaign_leads_queue",
            ["campaign_id", "status", "list_priority", "next_attempt_at", "id"],
            unique=False,
        )
        locked = sa.text("locked_by_id IS NOT NULL")
        batch_op.create_index(
            "ix_campaign_leads_locked_by",
            ["locked_by_id"],
            unique=False,
            postgresql_where=locked,
            sqlite_where=locked,
        )
        amounts = sa.text("pledged_amount IS NOT NULL OR donated_amount IS NOT NULL")
        batch_op.create_index(
            "ix_campaign_leads_amounts",
            ["campaign_id"],
            unique=False,
            postgresql_where=amounts,
            sqlite_where=amounts,
        )

    op.create_table(
        "campaign_lead_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_lead_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("pledged_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("donated_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("talk_time", sa.Integer(), nullable=True),
        sa.Column("call_duration", sa.Integer(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_campaign_lead_attempts_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_lead_id"], ["campaign_leads.id"],
            name=op.f("fk_campaign_lead_attempts_campaign_lead_id_campaign_leads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"],
            name=op.f("fk_campaign_lead_attempts_campaign_id_campaigns"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"],
            name=op.f("fk_campaign_lead_attempts_user_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_lead_attempts")),
    )  # fmt: skip
    with op.batch_alter_table("campaign_lead_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_lead_attempts_campaign_lead",
            ["campaign_lead_id", "attempted_at"],
            unique=False,
        )


def downgrade():
    op.drop_table("campaign_lead_attempts")
    with op.batch_alter_table("campaign_leads", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_leads_amounts")
        batch_op.drop_index("ix_campaign_leads_locked_by")
        batch_op.drop_index("ix_campaign_leads_queue")
        batch_op.drop_constraint(
            batch_op.f("fk_campaign_leads_locked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("exhausted_at")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("locked_by_id")
        batch_op.drop_column("list_priority")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_campaigns_created_by_id_users"), type_="foreignkey")
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("is_archived")
