"""Creating leads (with dedupe by email) and writing their timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity
from webapp.models.base import utcnow
from webapp.services.events import emit_event
from webapp.services.lead_input import clean_lead_fields
from webapp.services.normalize import normalize_email_key

# Fields an incoming duplicate may fill on the existing lead when they are empty there.
FILLABLE_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "job_title",
    "company_name",
    "company_domain",
    "website",
    "linkedin_url",
    "city",
    "state",
    "country",
    "headquarters",
    "industry",
    "employee_count",
    "revenue",
    "message",
)


@dataclass
class CaptureResult:
    lead: Lead
    created: bool
    filled: list[str]


def add_activity(
    session: Session,
    lead: Lead,
    activity_type: str,
    description: str | None = None,
    performed_by_id: uuid.UUID | None = None,
    data: dict | None = None,
) -> LeadActivity:
    activity = LeadActivity(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        activity_type=activity_type,
        description=description,
        performed_by_id=performed_by_id,
        data=data,
        created_at=utcnow(),
    )
    session.add(activity)
    lead.last_activity_at = activity.created_at
    return activity


def find_by_email(session: Session, workspace_id: uuid.UUID, email: str | None) -> Lead | None:
    key = normalize_email_key(email)
    if key is None:
        return None
    return session.execute(
        select(Lead).where(Lead.workspace_id == workspace_id, Lead.email_normalized == key)
    ).scalar()


def _fill_empty(lead: Lead, values: dict) -> list[str]:
    filled = []
    for field in FILLABLE_FIELDS:
        if values.get(field) not in (None, "") and getattr(lead, field) in (None, ""):
            setattr(lead, field, values[field])
            filled.append(field)
    return filled


def create_lead(
    session: Session,
    workspace_id: uuid.UUID,
    data: dict,
    performed_by_id: uuid.UUID | None = None,
    activity_type_on_duplicate: str = "updated",
    raw_data: dict | None = None,
) -> CaptureResult:
    """Create a lead, or fold the data into the workspace's lead with the same email.

    Raises ValidationFailed for bad fields. The caller commits.
    """
    values = clean_lead_fields(data)
    tags = data.get("tags")
    existing = find_by_email(session, workspace_id, values.get("email"))
    if existing is not None:
        return _merge_into_existing(
            session, existing, values, performed_by_id, activity_type_on_duplicate
        )

    lead = Lead(workspace_id=workspace_id, **{k: v for k, v in values.items() if v is not None})
    lead.email_normalized = normalize_email_key(lead.email)
    if raw_data is not None:
        lead.raw_data = raw_data
    if lead.status in ("closed_won", "closed_lost"):
        lead.closed_at = utcnow()
    try:
        with session.begin_nested():
            session.add(lead)
            session.flush()
    except IntegrityError:
        # Another request created the same email a moment ago: fold into it instead.
        existing = find_by_email(session, workspace_id, values.get("email"))
        if existing is None:
            raise
        return _merge_into_existing(
            session, existing, values, performed_by_id, activity_type_on_duplicate
        )
    if tags:
        from webapp.services.tags import add_tags

        add_tags(session, lead, tags)
    add_activity(session, lead, "created", f"Lead created from {lead.source}", performed_by_id)
    emit_event(session, workspace_id, "LeadCreated", lead.id, email=lead.email, source=lead.source)
    return CaptureResult(lead=lead, created=True, filled=[])


def _merge_into_existing(
    session: Session,
    lead: Lead,
    values: dict,
    performed_by_id: uuid.UUID | None,
    activity_type: str,
) -> CaptureResult:
    filled = _fill_empty(lead, values)
    description = "Submitted again with the same email"
    if filled:
        description += "; filled " + ", ".join(f.replace("_", " ") for f in filled)
    add_activity(session, lead, activity_type, description, performed_by_id, {"filled": filled})
    return CaptureResult(lead=lead, created=False, filled=filled)
