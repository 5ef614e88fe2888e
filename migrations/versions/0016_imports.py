"""CSV imports: the import, its per-lead changes (for revert) and its rejected rows

Revision ID: 0016_imports
Revises: 0014_ui_pages

Also indexes leads by LinkedIn URL and by phone (partial: only leads that have one),
which the import matches rows without an email by.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_imports"
down_revision = "0014_ui_pages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lead_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("job_run_id", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("delimiter", sa.String(length=4), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("duplicate_policy", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("lead_list_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=True),
        sa.Column("done_rows", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("invalid_count", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revert_run_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "duplicate_policy in ('skip', 'fill', 'overwrite')",
            name=op.f("ck_lead_imports_duplicate_policy"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_lead_imports_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_run_id"], ["job_runs.id"],
            name=op.f("fk_lead_imports_job_run_id_job_runs"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revert_run_id"], ["job_runs.id"],
            name=op.f("fk_lead_imports_revert_run_id_job_runs"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"],
            name=op.f("fk_lead_imports_owner_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"],
            name=op.f("fk_lead_imports_created_by_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_list_id"], ["lead_lists.id"],
            name=op.f("fk_lead_imports_lead_list_id_lead_lists"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"],
            name=op.f("fk_lead_imports_campaign_id_campaigns"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_imports")),
    )
    op.create_index(
        "ix_lead_imports_ws_created", "lead_imports", ["workspace_id", "created_at", "id"]
    )
    op.create_table(
        "lead_import_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=True),
        sa.Column("new_values", sa.JSON(), nullable=True),
        sa.Column("membership_added", sa.Boolean(), nullable=False),
        sa.Column("tags_added", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "kind in ('created', 'updated')", name=op.f("ck_lead_import_changes_kind")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["lead_imports.id"],
            name=op.f("fk_lead_import_changes_import_id_lead_imports"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"],
            name=op.f("fk_lead_import_changes_lead_id_leads"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_import_changes")),
        sa.UniqueConstraint(
            "import_id", "lead_id", name=op.f("uq_lead_import_changes_import_id_lead_id")
        ),
    )
    op.create_index("ix_lead_import_changes_lead_id", "lead_import_changes", ["lead_id"])
    op.create_table(
        "lead_import_rejected_rows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["lead_imports.id"],
            name=op.f("fk_lead_import_rejected_rows_import_id_lead_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_import_rejected_rows")),
    )
    op.create_index(
        "ix_lead_import_rejected_rows_import", "lead_import_rejected_rows", ["import_id", "line"]
    )
    for name, column in (("ix_leads_ws_linkedin", "linkedin_url"), ("ix_leads_ws_phone", "phone")):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name, "leads", ["workspace_id", column], postgresql_where=where, sqlite_where=where
        )


def downgrade():
    op.drop_index("ix_leads_ws_phone", table_name="leads")
    op.drop_index("ix_leads_ws_linkedin", table_name="leads")
    op.drop_table("lead_import_rejected_rows")
    op.drop_table("lead_import_changes")
    op.drop_table("lead_imports")
