"""API tokens (stored hashed).

The secret is shown once when the token is made; the database keeps only its
SHA-256 hash (a lookup key that is useless to a thief of the table) and a short
prefix so people can tell their tokens apart in lists.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, created_at_column, uuid_pk, workspace_fk

SCOPE_ALL = "all"
SCOPE_TARGET_CLIENT = "target_client"
SCOPES = {
    SCOPE_ALL: "Every API endpoint",
    SCOPE_TARGET_CLIENT: "Only the target-client endpoints (/run/target-client/leads/…)",
}


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    token_prefix: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the token may call: "all" (every API endpoint) or "target_client" (only
    # POST /run/target-client/leads/*). Space-separated, so more scopes can join.
    scopes: Mapped[str] = mapped_column(
        sa.String(200), nullable=False, default=SCOPE_ALL, server_default=SCOPE_ALL
    )

    created_by = relationship("User", lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        granted = (self.scopes or SCOPE_ALL).split()
        return SCOPE_ALL in granted or scope in granted

    def __repr__(self) -> str:
        return f"<ApiToken {self.token_prefix}… {self.name}>"
