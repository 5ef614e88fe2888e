"""Core reference data gets its missing fields; target-client leads; API token scopes

Revision ID: 0022_core
Revises: 0021_schedules

core_companies: revenue, state. core_people: first/last name, company_domain (the
company it was loaded with), email unique. Target-client leads, people and companies
(seed 000), uploaded files for jobs, and api_tokens.scopes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_core"
down_revision = "0021_schedules"
branch_labels = None
depends_on = None


def _utc():
    return sa.DateTime(timezone=True)


def _workspace():
    return sa.Column(
        "workspace_id",
        sa.Uuid(),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade():
    with op.batch_alter_table("core_companies") as batch:
        batch.add_column(sa.Column("revenue", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("state", sa.String(120), nullable=True))
    with op.batch_alter_table("core_people") as batch:
        batch.add_column(sa.Column("first_name", sa.String(120), nullable=True))
        batch.add_column(sa.Column("last_name", sa.String(120), nullable=True))
        batch.add_column(sa.Column("company_domain", sa.String(255), nullable=True))
        batch.drop_index("ix_core_people_email")
        batch.create_index("ix_core_people_email", ["email"], unique=True)
        batch.create_index("ix_core_people_company_domain", ["company_domain"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scopes", sa.String(200), nullable=False, server_default="all"))

    op.create_table(
        "target_client_companies",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        sa.Column("target_client_domain", sa.String(255), nullable=False),
        sa.Column("domain", sa.String(255)),
        sa.Column("name", sa.String(255)),
        sa.Column(
            "core_company_id", sa.Uuid(), sa.ForeignKey("core_companies.id", ondelete="SET NULL")
        ),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_index(
        "uq_target_client_companies_domain",
        "target_client_companies",
        ["workspace_id", "target_client_domain", "domain"],
        unique=True,
    )
    op.create_table(
        "target_client_people",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        sa.Column("target_client_domain", sa.String(255), nullable=False),
        sa.Column("first_name", sa.String(120)),
        sa.Column("last_name", sa.String(120)),
        sa.Column("full_name", sa.String(255)),
        sa.Column("work_email", sa.String(254)),
        sa.Column("linkedin_url", sa.String(500)),
        sa.Column(
            "core_person_id", sa.Uuid(), sa.ForeignKey("core_people.id", ondelete="SET NULL")
        ),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_index(
        "uq_target_client_people_email",
        "target_client_people",
        ["workspace_id", "target_client_domain", "work_email"],
        unique=True,
    )
    op.create_table(
        "target_client_leads",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        sa.Column("target_client_domain", sa.String(255), nullable=False),
        sa.Column(
            "person_id", sa.Uuid(), sa.ForeignKey("target_client_people.id", ondelete="SET NULL")
        ),
        sa.Column(
            "company_id",
            sa.Uuid(),
            sa.ForeignKey("target_client_companies.id", ondelete="SET NULL"),
        ),
        sa.Column(
            "core_company_id", sa.Uuid(), sa.ForeignKey("core_companies.id", ondelete="SET NULL")
        ),
        sa.Column(
            "core_person_id", sa.Uuid(), sa.ForeignKey("core_people.id", ondelete="SET NULL")
        ),
        sa.Column("first_name", sa.String(120)),
        sa.Column("last_name", sa.String(120)),
        sa.Column("full_name", sa.String(255)),
        sa.Column("work_email", sa.String(254)),
        sa.Column("company_domain", sa.String(255)),
        sa.Column("company_name", sa.String(255)),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    indexes = {
        "uq_target_client_leads_person": (["target_client_domain", "core_person_id"], True),
        "uq_target_client_leads_email": (["target_client_domain", "work_email"], True),
        "ix_target_client_leads_listing": (["target_client_domain", "created_at", "id"], False),
        "ix_target_client_leads_company": (["core_company_id"], False),
    }
    for name, (columns, unique) in indexes.items():
        op.create_index(name, "target_client_leads", ["workspace_id", *columns], unique=unique)
    op.create_table(
        "uploaded_files",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _workspace(),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_index("ix_uploaded_files_workspace_id", "uploaded_files", ["workspace_id"])


def downgrade():
    op.drop_table("uploaded_files")
    op.drop_table("target_client_leads")
    op.drop_table("target_client_people")
    op.drop_table("target_client_companies")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scopes")
    with op.batch_alter_table("core_people") as batch:
        batch.drop_index("ix_core_people_company_domain")
        batch.drop_index("ix_core_people_email")
        batch.create_index("ix_core_people_email", ["email"], unique=False)
        batch.drop_column("company_domain")
        batch.drop_column("last_name")
        batch.drop_column("first_name")
    with op.batch_alter_table("core_companies") as batch:
        batch.drop_column("state")
        batch.drop_column("revenue")
