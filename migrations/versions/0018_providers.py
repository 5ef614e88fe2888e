"""Pipeline settings: provider URLs and keys, delivery channels, industry → platform routes

Revision ID: 0018_providers
Revises: 0017_campaigns
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_providers"
down_revision = "0017_campaigns"
branch_labels = None
depends_on = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade():
    op.create_table(
        "provider_settings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("api_key", sa.String(length=500), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("provider_settings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_settings")),
        sa.UniqueConstraint(
            "workspace_id", "provider", name=op.f("uq_provider_settings_workspace_id_provider")
        ),
    )
    op.create_table(
        "delivery_settings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("email_recipients", sa.JSON(), nullable=False),
        sa.Column("email_transport", sa.String(length=8), nullable=False),
        sa.Column("slack_webhook_url", sa.String(length=2000), nullable=True),
        sa.Column("webhooks_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("delivery_settings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_settings")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_delivery_settings_workspace_id")),
    )
    op.create_table(
        "platform_routes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("platform_name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("api_key", sa.String(length=500), nullable=True),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("platform_routes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_routes")),
        sa.UniqueConstraint(
            "workspace_id", "industry", name=op.f("uq_platform_routes_workspace_id_industry")
        ),
    )


def downgrade():
    op.drop_table("platform_routes")
    op.drop_table("delivery_settings")
    op.drop_table("provider_settings")
