"""Job runs: background work people can see

Revision ID: 0012_job_runs
Revises: 0011_company_sort
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_job_runs"
down_revision = "0011_company_sort"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("rq_job_id", sa.String(length=64), nullable=True),
        sa.Column("subject_type", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("retry_of_id", sa.Uuid(), nullable=True),
        sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_job_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_job_runs_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"],
            name=op.f("fk_job_runs_started_by_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["job_runs.id"],
            name=op.f("fk_job_runs_parent_id_job_runs"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["retry_of_id"], ["job_runs.id"],
            name=op.f("fk_job_runs_retry_of_id_job_runs"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index("ix_job_runs_ws_created", ["workspace_id", "created_at", "id"])
        batch_op.create_index("ix_job_runs_ws_kind_created", ["workspace_id", "kind", "created_at"])
        batch_op.create_index(
            "ix_job_runs_ws_status_created", ["workspace_id", "status", "created_at"]
        )
        batch_op.create_index(
            "ix_job_runs_ws_user_created", ["workspace_id", "started_by", "created_at"]
        )
        batch_op.create_index("ix_job_runs_subject", ["subject_type", "subject_id", "created_at"])
        batch_op.create_index("ix_job_runs_status_updated", ["status", "updated_at"])
        batch_op.create_index(batch_op.f("ix_job_runs_parent_id"), ["parent_id"])
        batch_op.create_index(batch_op.f("ix_job_runs_retry_of_id"), ["retry_of_id"])


def downgrade():
    op.drop_table("job_runs")
