"""Merge point of the parallel branches' migrations (TEMPORARY: the lead drops it at merge)

Revision ID: 0021m_merge_heads
Revises: 0019m_merge_heads, 0021_schedules

The schedules branch merges `discovery` (0019m: discovery, enrichment and providers),
whose migrations also start from 0014_ui_pages; this empty revision joins the heads
so `flask db upgrade` works on the branch. When the migrations are chained into one
line, delete it.
"""

revision = "0021m_merge_heads"
down_revision = ("0019m_merge_heads", "0021_schedules")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
