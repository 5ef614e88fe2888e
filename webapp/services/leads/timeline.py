"""Creating leads (with dedupe by email) and writing their timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity
from webapp.models.base import utcnow
from webapp.services.leads.input import clean_new_lead, clean_tag_names
from webapp.services.leads.insert import NewLead, insert_new_lead
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
    """What create_lead did. `summary` is the new lead's stored fields or the existing lead."""

    session: Session
    summary: NewLead | Lead
    created: bool
    filled: list[str]
    tags_added: list[str] = field(default_factory=list)  # on an existing lead

    @property
    def lead(self) -> Lead:
        """The lead as a model, loaded only for callers that work on it further."""
        if not isinstance(self.summary, Lead):
            self.summary = self.session.get(Lead, self.summary.id)
        return self.summary


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


NAME_FIELDS = frozenset({"first_name", "last_name", "full_name"})


def _fill_empty(lead: Lead, values: dict) -> list[str]:
    # A name is filled whole or not at all: "Ann" plus another submission's
    # "Smith" would make a person neither of them is.
    named = any(getattr(lead, name) not in (None, "") for name in NAME_FIELDS)
    filled = []
    for name in FILLABLE_FIELDS:
        if named and name in NAME_FIELDS:
            continue
        if values.get(name) not in (None, "") and getattr(lead, name) in (None, ""):
            setattr(lead, name, values[name])
            filled.append(name)
    return filled


@dataclass(frozen=True)
class DuplicateActivity:
    """The one activity a lead gets when data with its email comes in again."""

    type: str = "updated"
    description: str = "Submitted again with the same email"
    data: dict = field(default_factory=dict)


def create_lead(
    session: Session,
    workspace_id: uuid.UUID,
    data: dict,
    performed_by_id: uuid.UUID | None = None,
    on_duplicate: DuplicateActivity | None = None,
    raw_data: dict | None = None,
    on_its_own: bool = False,
) -> CaptureResult:
    """Create a lead, or fold the data into the workspace's lead with the same email.

    Raises ValidationFailed for bad fields. The caller commits; with `on_its_own`, a
    new lead may already be committed (lead_insert's note), a duplicate's changes not.
    """
    values = clean_new_lead(data)
    tags = clean_tag_names(data.get("tags") or [])  # refused before anything is written
    now = utcnow()
    row = {k: v for k, v in values.items() if v is not None}
    row.update(
        workspace_id=workspace_id,
        email_normalized=normalize_email_key(values.get("email")),
        created_at=now,
        updated_at=now,
        last_activity_at=now,  # the "created" activity below
    )
    if raw_data is not None:
        row["raw_data"] = raw_data
    if row.get("status") in ("closed_won", "closed_lost"):
        row["closed_at"] = now
    on_its_own = on_its_own and not tags  # tags are written after the lead
    new = insert_new_lead(session, row, performed_by_id, on_its_own)
    if new is None:
        # The email is taken (perhaps by a request that committed a moment ago).
        existing = find_by_email(session, workspace_id, values.get("email"))
        return _merge_into_existing(
            session,
            existing,
            values,
            performed_by_id,
            on_duplicate or DuplicateActivity(),
            tags,
        )
    result = CaptureResult(session=session, summary=new, created=True, filled=[])
    if tags:
        from webapp.services.leads.tags import add_tags

        add_tags(session, result.lead, tags)
    return result


def _merge_into_existing(
    session: Session,
    lead: Lead,
    values: dict,
    performed_by_id: uuid.UUID | None,
    activity: DuplicateActivity,
    tags=None,
) -> CaptureResult:
    filled = _fill_empty(lead, values)
    description = activity.description
    if filled:
        description += "; filled " + ", ".join(f.replace("_", " ") for f in filled)
    data: dict = {**activity.data, "filled": filled}
    added: list[str] = []
    if tags:  # tags only add up: the lead keeps its own and gains the new ones
        from webapp.services.leads.tags import add_tags

        before = {tag.name for tag in lead.tags}
        added = sorted({tag.name for tag in add_tags(session, lead, tags)} - before)
        if added:
            description += "; tagged " + ", ".join(added)
            data["tags_added"] = added
    add_activity(session, lead, activity.type, description, performed_by_id, data)
    return CaptureResult(
        session=session, summary=lead, created=False, filled=filled, tags_added=added
    )
