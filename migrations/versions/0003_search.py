"""My Leads search: a trigram index over the searchable text (PostgreSQL only)

Revision ID: 0003_search
Revises: 0002_lists_campaigns

SQLite has no trigram index; substring search there scans, which is fine for the
embedded default. The index name is excluded from the model/migration comparison.
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401


revision = '0003_search'
down_revision = '0002_lists_campaigns'
branch_labels = None
depends_on = None

# Must stay the same expression as webapp.services.leads.filters.search_text().
SEARCH_TEXT = (
    "lower(coalesce(full_name, '') || ' ' || coalesce(first_name, '') || ' ' || "
    "coalesce(last_name, '') || ' ' || coalesce(email_normalized, '') || ' ' || "
    "coalesce(company_name, '') || ' ' || coalesce(phone, ''))"
)


def upgrade():
    # Sorting My Leads by name or company, both directions, with id as the tie-breaker.
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_ws_name', ['workspace_id', 'full_name', 'id'], unique=False)
        batch_op.create_index('ix_leads_ws_company', ['workspace_id', 'company_name', 'id'],
                              unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_leads_search_trgm ON leads USING gin (({SEARCH_TEXT}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_leads_search_trgm")
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_ws_company')
        batch_op.drop_index('ix_leads_ws_name')
