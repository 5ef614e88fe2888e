"""Scheduled periods (once-per-period claims of the schedules tick) and weekly topic trends

Revision ID: 0021_schedules
Revises: 0020_enrichment
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_schedules"
down_revision = "0020_enrichment"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduled_periods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("schedule", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_scheduled_periods_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["job_runs.id"],
            name=op.f("fk_scheduled_periods_run_id_job_runs"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_periods")),
        sa.UniqueConstraint(
            "schedule", "scope", "period_start",
            name=op.f("uq_scheduled_periods_schedule_scope_period_start"),
        ),
    )  # fmt: skip
    op.create_index(
        "ix_scheduled_periods_scope_schedule",
        "scheduled_periods",
        ["scope", "schedule", "period_start"],
    )
    op.create_table(
        "topic_trends",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("previous_volume", sa.Integer(), nullable=False),
        sa.Column("change_pct", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "direction in ('up', 'down', 'stable')", name=op.f("ck_topic_trends_direction")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_topic_trends_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_trends")),
        sa.UniqueConstraint(
            "workspace_id", "week_start", "topic",
            name=op.f("uq_topic_trends_workspace_id_week_start_topic"),
        ),
    )  # fmt: skip


def downgrade():
    op.drop_table("topic_trends")
    op.drop_index("ix_scheduled_periods_scope_schedule", table_name="scheduled_periods")
    op.drop_table("scheduled_periods")
