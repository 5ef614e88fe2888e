"""Target-client leads: leads of prospects being demoed to (seed 000), kept apart from
a workspace's own leads and keyed by `target_client_domain`.

Three tables, as the seed's `target_client` schema: the leads (denormalised, with
links to the core company and person), and the normalised people and companies
they name. All belong to the workspace of the API token (or admin) that made them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import (
    created_at_column,
    updated_at_column,
    uuid_pk,
    workspace_fk,
)

TARGET_CLIENT_SOURCES = ("contact_form", "csv_import", "demo", "api", "other")


class TargetClientCompany(db.Model):
    __tablename__ = "target_client_companies"
    __table_args__ = (
        sa.Index(
            "uq_target_client_companies_domain",
            "workspace_id",
            "target_client_domain",
            "domain",
            unique=True,
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    target_client_domain: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    domain: Mapped[str | None] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    core_company_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_companies.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()


class TargetClientPerson(db.Model):
    __tablename__ = "target_client_people"
    __table_args__ = (
        sa.Index(
            "uq_target_client_people_email",
            "workspace_id",
            "target_client_domain",
            "work_email",
            unique=True,
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    target_client_domain: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    first_name: Mapped[str | None] = mapped_column(sa.String(120))
    last_name: Mapped[str | None] = mapped_column(sa.String(120))
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    work_email: Mapped[str | None] = mapped_column(sa.String(254))
    linkedin_url: Mapped[str | None] = mapped_column(sa.String(500))
    core_person_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()


class TargetClientLead(db.Model):
    __tablename__ = "target_client_leads"
    __table_args__ = (
        # One lead per core person per target client: linking again finds this one.
        sa.Index(
            "uq_target_client_leads_person",
            "workspace_id",
            "target_client_domain",
            "core_person_id",
            unique=True,
        ),
        sa.Index(
            "uq_target_client_leads_email",
            "workspace_id",
            "target_client_domain",
            "work_email",
            unique=True,
        ),
        sa.Index(
            "ix_target_client_leads_listing",
            "workspace_id",
            "target_client_domain",
            "created_at",
            "id",
        ),
        sa.Index("ix_target_client_leads_company", "workspace_id", "core_company_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    target_client_domain: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("target_client_people.id", ondelete="SET NULL")
    )
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("target_client_companies.id", ondelete="SET NULL")
    )
    core_company_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_companies.id", ondelete="SET NULL")
    )
    core_person_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_people.id", ondelete="SET NULL")
    )
    first_name: Mapped[str | None] = mapped_column(sa.String(120))
    last_name: Mapped[str | None] = mapped_column(sa.String(120))
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    work_email: Mapped[str | None] = mapped_column(sa.String(254))
    company_domain: Mapped[str | None] = mapped_column(sa.String(255))
    company_name: Mapped[str | None] = mapped_column(sa.String(255))
    source: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class UploadedFile(db.Model):
    """A file an admin uploaded for a job to read (core loads, target-client CSVs).

    Kept in the database, not on a web server's disk, so any worker can read it; the
    job deletes it once it has been read through.
    """

    __tablename__ = "uploaded_files"

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    purpose: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
