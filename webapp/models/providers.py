"""Where a workspace's pipeline talks to: providers, delivery channels, platform routes."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import updated_at_column, uuid_pk, workspace_fk

EMAIL_TRANSPORTS = ("smtp", "api")
DEFAULT_INDUSTRY = "Default"
# The seed's industry → platform map (docs/contracts.md#upload).
DEFAULT_PLATFORMS: dict[str, str] = {
    "Technology": "tech-platform",
    "Finance": "finance-platform",
    "Healthcare": "healthcare-platform",
    "Retail": "retail-platform",
    "Marketing": "marketing-platform",
    DEFAULT_INDUSTRY: "general-platform",
}
DEFAULT_BATCH_SIZE = 50
DEFAULT_RATE_LIMIT_PER_MINUTE = 60


class ProviderSetting(db.Model):
    """A provider's base URL and key for one workspace (the key is write-only in the UI)."""

    __tablename__ = "provider_settings"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "provider"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    provider: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    base_url: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    api_key: Mapped[str | None] = mapped_column(sa.String(500))
    options: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    updated_at: Mapped[datetime] = updated_at_column()

    def __repr__(self) -> str:  # never the key
        return f"<ProviderSetting {self.provider} {self.base_url}>"


class DeliverySettings(db.Model):
    """How a workspace hears of new leads: e-mail, Slack, and our signed webhooks."""

    __tablename__ = "delivery_settings"

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    email_recipients: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    email_transport: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="smtp")
    slack_webhook_url: Mapped[str | None] = mapped_column(sa.String(2000))
    webhooks_enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = updated_at_column()


class PlatformRoute(db.Model):
    """Where leads of one industry are uploaded; the `Default` row takes every other one."""

    __tablename__ = "platform_routes"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "industry"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    industry: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    platform_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    api_key: Mapped[str | None] = mapped_column(sa.String(500))
    batch_size: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=DEFAULT_BATCH_SIZE)
    rate_limit_per_minute: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=DEFAULT_RATE_LIMIT_PER_MINUTE
    )
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def is_default(self) -> bool:
        return self.industry == DEFAULT_INDUSTRY

    def __repr__(self) -> str:  # never the key
        return f"<PlatformRoute {self.industry} → {self.platform_name}>"
