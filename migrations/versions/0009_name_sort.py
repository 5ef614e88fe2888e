"""My Leads sorts by the name it shows; full names kept; SQLite deletes finished

Revision ID: 0009_name_sort
Revises: 0008_webhooks

A lead's name on screen is its full name, else its company, else its email; the
name sort now orders by that (an expression index keeps it fast at a million
leads). Full names are filled from first and last name where they were left empty,
as every way in now stores them.

SQLite enforced no foreign keys before this release, so deleting a lead left its
activities, list memberships and tags behind. Those rows are finished here as the
database's ON DELETE rules would have done (deleted, or their reference cleared).
"""
from alembic import op


revision = '0009_name_sort'
down_revision = '0008_webhooks'
branch_labels = None
depends_on = None

# Must stay the same expression as webapp.services.leads.filters.SORT_NAME.
SORT_NAME = "lower(coalesce(nullif(full_name, ''), nullif(company_name, ''), email_normalized))"


def upgrade():
    op.execute(
        "UPDATE leads SET full_name = trim(coalesce(first_name, '') || ' ' || "
        "coalesce(last_name, '')) WHERE coalesce(full_name, '') = '' "
        "AND (coalesce(first_name, '') <> '' OR coalesce(last_name, '') <> '')"
    )
    op.execute("DROP INDEX ix_leads_ws_name")
    op.execute(f"CREATE INDEX ix_leads_ws_name ON leads (workspace_id, ({SORT_NAME}), id)")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _finish_cascades(bind)


def _finish_cascades(bind):
    rules = {}
    for table, rowid, _parent, fk_id in bind.exec_driver_sql("PRAGMA foreign_key_check").all():
        if table not in rules:
            rules[table] = {
                row[0]: (row[3], row[6].upper())  # id: (from column, on_delete)
                for row in bind.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').all()
            }
        column, on_delete = rules[table][fk_id]
        if on_delete == "CASCADE":
            bind.exec_driver_sql(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
        elif on_delete == "SET NULL":
            bind.exec_driver_sql(f'UPDATE "{table}" SET "{column}" = NULL WHERE rowid = ?', (rowid,))


def downgrade():
    op.execute("DROP INDEX ix_leads_ws_name")
    op.execute("CREATE INDEX ix_leads_ws_name ON leads (workspace_id, full_name, id)")
