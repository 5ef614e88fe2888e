"""My Leads' company sort ignores case, and leads without a company come last going up

Revision ID: 0011_company_sort
Revises: 0010_name_sort_phone

The company index becomes an expression index over the lower-cased company name
(an empty one counted as none), the expression the sort orders by.
"""

from alembic import op


revision = "0011_company_sort"
down_revision = "0010_name_sort_phone"
branch_labels = None
depends_on = None

# Must stay the same expression as webapp.services.leads.filters.SORT_COMPANY.
SORT_COMPANY = "lower(nullif(company_name, ''))"


def upgrade():
    op.execute("DROP INDEX ix_leads_ws_company")
    op.execute(f"CREATE INDEX ix_leads_ws_company ON leads (workspace_id, ({SORT_COMPANY}), id)")


def downgrade():
    op.execute("DROP INDEX ix_leads_ws_company")
    op.execute("CREATE INDEX ix_leads_ws_company ON leads (workspace_id, company_name, id)")
