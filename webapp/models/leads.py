"""The lead (union of the seeds), its timeline and its tags."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import (
    UTCDateTime,
    created_at_column,
    updated_at_column,
    utcnow,
    uuid_pk,
    workspace_fk,
)

LEAD_TYPES = ("person", "company")
STATUSES = (
    "new",
    "contacted",
    "qualified",
    "proposal",
    "closed_won",
    "closed_lost",
    "rejected",
    "archived",
)
PIPELINE_STATUSES = ("new", "contacted", "qualified", "proposal", "closed_won", "closed_lost")
CLOSED_STATUSES = ("closed_won", "closed_lost")
PRIORITIES = ("low", "medium", "high")
INTENTS = ("hot", "warm", "cold", "unrated")
SOURCES = (
    "website",
    "referral",
    "social",
    "contact_form",
    "csv_import",
    "demo",
    "discovery",
    "api",
    "other",
)
ACTIVITY_TYPES = (
    "created",
    "status_changed",
    "note_added",
    "contacted",
    "assigned",
    "form_submitted",
    "imported",
    "enriched",
    "delivered",
    "uploaded",
    "merged",
    "converted",
    "updated",
    "discovered",
    "intent_overridden",
)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


lead_tags = sa.Table(
    "lead_tags",
    db.metadata,
    sa.Column("lead_id", sa.Uuid, sa.ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.Uuid, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_lead_tags_tag_id", "tag_id"),
)


class Tag(db.Model):
    __tablename__ = "tags"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    name: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = created_at_column()


def full_name_of(first_name: str | None, last_name: str | None) -> str | None:
    """The full name that first and last name make ("" parts left out), None if neither."""
    parts = (" ".join((p or "").split()) for p in (first_name, last_name))
    return " ".join(p for p in parts if p) or None


# What names a lead without a name, in this order (My Leads' name sort follows it).
NAMED_BY = ("company_name", "email", "phone", "company_domain", "website", "linkedin_url")


def display_name(lead) -> str:
    """How a lead is named on screen: a Lead, or any row with the same name fields."""
    return name_shown(
        lead.full_name,
        lead.first_name,
        lead.last_name,
        *(getattr(lead, field) for field in NAMED_BY),
    )


def name_shown(full_name, first_name, last_name, *named_by) -> str:
    """The full name, else first and last name, else the first of NAMED_BY's values."""
    if full_name:
        return full_name
    joined = " ".join(p for p in (first_name, last_name) if p)
    return joined or next((value for value in named_by if value), "(unnamed lead)")


class Lead(db.Model):
    __tablename__ = "leads"
    __table_args__ = (
        # One lead per email per workspace; NULL emails never collide.
        sa.UniqueConstraint("workspace_id", "email_normalized"),
        sa.CheckConstraint(f"type in ({_in(LEAD_TYPES)})", name="type"),
        sa.CheckConstraint(f"status in ({_in(STATUSES)})", name="status"),
        sa.CheckConstraint(f"priority in ({_in(PRIORITIES)})", name="priority"),
        sa.CheckConstraint(f"intent in ({_in(INTENTS)})", name="intent"),
        sa.CheckConstraint("lead_score between 0 and 100", name="lead_score"),
        # My Leads sorts and filters; every index ends with id as the keyset tie-breaker.
        sa.Index("ix_leads_ws_created", "workspace_id", "created_at", "id"),
        sa.Index("ix_leads_ws_status_created", "workspace_id", "status", "created_at", "id"),
        sa.Index("ix_leads_ws_owner_created", "workspace_id", "assigned_to_id", "created_at", "id"),
        sa.Index("ix_leads_ws_score", "workspace_id", "lead_score", "id"),
        sa.Index("ix_leads_ws_intent", "workspace_id", "intent", "lead_score", "id"),
        sa.Index("ix_leads_ws_source", "workspace_id", "source", "created_at", "id"),
        sa.Index("ix_leads_ws_domain", "workspace_id", "company_domain"),
        # The contact and account pages list the leads converted into them. Partial: most
        # leads are never converted, and a bulk load should not pay for their NULLs.
        sa.Index(
            "ix_leads_converted_contact",
            "converted_contact_id",
            postgresql_where=sa.text("converted_contact_id IS NOT NULL"),
            sqlite_where=sa.text("converted_contact_id IS NOT NULL"),
        ),
        sa.Index(
            "ix_leads_converted_account",
            "converted_account_id",
            postgresql_where=sa.text("converted_account_id IS NOT NULL"),
            sqlite_where=sa.text("converted_account_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk(index=False)
    type: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="person")

    # identity
    first_name: Mapped[str | None] = mapped_column(sa.String(120))
    last_name: Mapped[str | None] = mapped_column(sa.String(120))
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_normalized: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    job_title: Mapped[str | None] = mapped_column(sa.String(255))
    company_name: Mapped[str | None] = mapped_column(sa.String(255))
    company_domain: Mapped[str | None] = mapped_column(sa.String(255))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    linkedin_url: Mapped[str | None] = mapped_column(sa.String(500))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[str | None] = mapped_column(sa.String(120))
    country: Mapped[str | None] = mapped_column(sa.String(120))
    headquarters: Mapped[str | None] = mapped_column(sa.String(255))
    industry: Mapped[str | None] = mapped_column(sa.String(120))
    employee_count: Mapped[int | None] = mapped_column(sa.Integer)
    revenue: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    message: Mapped[str | None] = mapped_column(sa.Text)

    # work
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="new")
    priority: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="medium")
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # quality
    lead_score: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    intent: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="unrated")
    intent_data: Mapped[dict | None] = mapped_column(sa.JSON)
    intent_explanation: Mapped[str | None] = mapped_column(sa.Text)

    # origin
    source: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="other")
    source_id: Mapped[str | None] = mapped_column(sa.String(255))
    search_query: Mapped[str | None] = mapped_column(sa.String(500))
    search_mode: Mapped[str | None] = mapped_column(sa.String(32))
    search_location: Mapped[str | None] = mapped_column(sa.String(255))
    search_industry: Mapped[str | None] = mapped_column(sa.String(255))
    search_tech_stack: Mapped[str | None] = mapped_column(sa.String(500))
    raw_data: Mapped[dict | None] = mapped_column(sa.JSON)
    # The saved discovery query that found this lead (services/pipeline/discovery.py).
    discovery_query_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("discovery_queries.id", ondelete="SET NULL")
    )

    # links
    core_company_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_companies.id", ondelete="SET NULL")
    )
    core_person_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("core_people.id", ondelete="SET NULL")
    )
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    converted_contact_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    converted_account_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    # pipeline
    enrichment_status: Mapped[str | None] = mapped_column(sa.String(16))
    delivery_status: Mapped[str | None] = mapped_column(sa.String(16))
    uploaded: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    upload_platform: Mapped[str | None] = mapped_column(sa.String(64))
    # enrichment and upload steps (webapp/services/pipeline/, migration 0020_enrichment)
    enrichment_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrichment_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrichment_skip_reason: Mapped[str | None] = mapped_column(sa.String(255))
    enrichment_error: Mapped[str | None] = mapped_column(sa.String(1000))
    upload_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    upload_error: Mapped[str | None] = mapped_column(sa.String(1000))

    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    assigned_to = relationship("User", lazy="joined", foreign_keys=[assigned_to_id])
    tags: Mapped[list[Tag]] = relationship(secondary=lead_tags, order_by=Tag.name)
    activities: Mapped[list[LeadActivity]] = relationship(
        back_populates="lead",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="desc(LeadActivity.created_at)",
    )

    @property
    def display_name(self) -> str:
        return display_name(self)

    @property
    def is_converted(self) -> bool:
        return self.converted_at is not None

    def __repr__(self) -> str:
        return f"<Lead {self.id} {self.display_name}>"


class LeadActivity(db.Model):
    __tablename__ = "lead_activities"
    __table_args__ = (sa.Index("ix_lead_activities_lead_created", "lead_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = workspace_fk()
    lead_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    activity_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict | None] = mapped_column(sa.JSON)
    performed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="activities")
    performed_by = relationship("User", lazy="joined")
