"""Capture forms, spam quarantine, idempotency keys

Revision ID: 0006_forms
Revises: 0005_merges
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_forms'
down_revision = '0005_merges'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
