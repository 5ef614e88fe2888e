"""Merge point of the parallel branches' migrations (TEMPORARY: the lead drops it at merge)

Revision ID: 0020m_merge_heads
Revises: 0018_providers, 0020_enrichment

The enrichment branch merges `providers` (and later `discovery`), whose migrations
also start from 0014_ui_pages; this empty revision joins the heads so `flask db
upgrade` works on the branch. When the migrations are chained into one line, delete it.
"""

revision = "0020m_merge_heads"
down_revision = ("0018_providers", "0020_enrichment")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
