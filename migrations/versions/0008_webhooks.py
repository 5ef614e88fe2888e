"""Webhook endpoints and deliveries

Revision ID: 0008_webhooks
Revises: 0007_api_tokens
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_webhooks'
down_revision = '0007_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
