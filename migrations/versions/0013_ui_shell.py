"""Per-user preferences (a data table's columns, remembered across devices)

Revision ID: 0013_ui_shell
Revises: 0011_company_sort
"""

import sqlalchemy as sa
from alembic import op


revision = "0013_ui_shell"
down_revision = "0011_company_sort"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("preferences", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("preferences")
