"""Contacts and accounts for conversion (helper: lead page)

Revision ID: 0004_crm
Revises: 0003_search
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_crm'
down_revision = '0003_search'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
