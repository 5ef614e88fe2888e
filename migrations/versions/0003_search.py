"""My Leads search indexes (helper: leads list)

Revision ID: 0003_search
Revises: 0002_lists_campaigns
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_search'
down_revision = '0002_lists_campaigns'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
