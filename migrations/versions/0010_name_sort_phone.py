"""My Leads' name sort falls back to the phone, domain, website and LinkedIn, as the name shown does

Revision ID: 0010_name_sort_phone
Revises: 0009_name_sort

A lead known only by its phone (or company domain, website, LinkedIn URL) is shown
by it; the name sort's expression index now ends with those too, so such leads sort
among the names, not with the empty ones.
"""

from alembic import op


revision = "0010_name_sort_phone"
down_revision = "0009_name_sort"
branch_labels = None
depends_on = None

# Must stay the same expression as webapp.services.leads.filters.SORT_NAME.
SORT_NAME = (
    "lower(coalesce(nullif(full_name, ''), nullif(company_name, ''), email_normalized, phone, "
    "company_domain, website, linkedin_url))"
)
EARLIER = "lower(coalesce(nullif(full_name, ''), nullif(company_name, ''), email_normalized))"


def upgrade():
    op.execute("DROP INDEX ix_leads_ws_name")
    op.execute(f"CREATE INDEX ix_leads_ws_name ON leads (workspace_id, ({SORT_NAME}), id)")


def downgrade():
    op.execute("DROP INDEX ix_leads_ws_name")
    op.execute(f"CREATE INDEX ix_leads_ws_name ON leads (workspace_id, ({EARLIER}), id)")
