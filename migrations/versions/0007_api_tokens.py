"""API tokens

Revision ID: 0007_api_tokens
Revises: 0006_forms
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_api_tokens'
down_revision = '0006_forms'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
