"""Lead merges and their undo (helper: dedupe)

Revision ID: 0005_merges
Revises: 0004_crm
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_merges'
down_revision = '0004_crm'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
