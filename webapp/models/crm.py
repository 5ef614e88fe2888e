"""Contacts and accounts: what a lead becomes when it is converted."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import created_at_column, updated_at_column, uuid_pk, workspace_fk


class Account(db.Model):
    __tablename__ = "accounts"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "domain"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    domain: Mapped[str | None] = mapped_column(sa.String(255))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    industry: Mapped[str | None] = mapped_column(sa.String(120))
    employee_count: Mapped[int | None] = mapped_column(sa.Integer)
    created_from_lead_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Contact(db.Model):
    __tablename__ = "contacts"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "email_normalized"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str | None] = mapped_column(sa.String(120))
    last_name: Mapped[str | None] = mapped_column(sa.String(120))
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_normalized: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    job_title: Mapped[str | None] = mapped_column(sa.String(255))
    created_from_lead_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
