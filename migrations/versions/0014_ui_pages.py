"""The contact and account pages find the leads converted into them by index

Revision ID: 0014_ui_pages
Revises: 0013_ui_shell

Partial indexes: most leads are never converted, so their NULLs are left out.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_ui_pages"
down_revision = "0013_ui_shell"
branch_labels = None
depends_on = None

COLUMNS = {
    "ix_leads_converted_contact": "converted_contact_id",
    "ix_leads_converted_account": "converted_account_id",
}


def upgrade():
    for name, column in COLUMNS.items():
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "leads", [column], postgresql_where=where, sqlite_where=where)


def downgrade():
    for name in COLUMNS:
        op.drop_index(name, table_name="leads")
