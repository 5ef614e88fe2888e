"""Shared reference data of companies and people, read-only to workspace users.

Rows are not a workspace's: every workspace reads them, and only workspace admins
(the `core` write permission, see docs/contracts.md#core) and the pipeline's
enrichment write them. Keys are stored normalised (webapp/services/normalize.py):
a company by its bare domain, a person by lower-case email or canonical LinkedIn
URL (`linkedin.com/in/<slug>`), so lookups are plain index equality.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import created_at_column, updated_at_column, uuid_pk


class CoreCompany(db.Model):
    __tablename__ = "core_companies"

    id: Mapped[uuid.UUID] = uuid_pk()
    domain: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    industry: Mapped[str | None] = mapped_column(sa.String(120))
    employee_count: Mapped[int | None] = mapped_column(sa.Integer)
    revenue: Mapped[int | None] = mapped_column(sa.BigInteger)
    city: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[str | None] = mapped_column(sa.String(120))
    country: Mapped[str | None] = mapped_column(sa.String(120))
    linkedin_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class CorePerson(db.Model):
    __tablename__ = "core_people"

    id: Mapped[uuid.UUID] = uuid_pk()
    core_company_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_companies.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str | None] = mapped_column(sa.String(120))
    last_name: Mapped[str | None] = mapped_column(sa.String(120))
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True, unique=True)
    linkedin_url: Mapped[str | None] = mapped_column(sa.String(500), unique=True)
    title: Mapped[str | None] = mapped_column(sa.String(255))
    seniority: Mapped[str | None] = mapped_column(sa.String(64))
    department: Mapped[str | None] = mapped_column(sa.String(64))
    # The company's domain as loaded: the person is tied to the company by it, also when
    # the company is loaded after the person (core_company_id is then filled in).
    company_domain: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
