"""Merge point: imports (0016) and campaigns (0017) both follow 0014

Revision ID: 0018_merge_imports_campaigns
Revises: 0016_imports, 0017_campaigns

Only while the branches are merged into each other: the lead chains the branches'
migrations into one line at merge time, and this file goes then.
"""

revision = "0018_merge_imports_campaigns"
down_revision = ("0016_imports", "0017_campaigns")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
