"""Editing a lead on its page: one field at a time, notes, contacts, priority."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.base import utcnow
from webapp.models.leads import PRIORITIES, full_name_of
from webapp.services.errors import NUL_REASON, ValidationFailed, has_nul
from webapp.services.leads.input import (
    EDITABLE_FIELDS,
    IDENTIFYING_FIELDS,
    NEEDED,
    clean_lead_fields,
)
from webapp.services.leads.timeline import add_activity, find_by_email
from webapp.services.normalize import normalize_email_key

# Status and priority have their own controls (with their own rules and activities).
INLINE_FIELDS = tuple(f for f in EDITABLE_FIELDS if f not in ("status", "priority"))
NAME_PARTS = ("first_name", "last_name")
CONTACT_CHANNELS = ("call", "email", "meeting")
MAX_NOTE = 10_000


def _follows_parts(lead: Lead) -> bool:
    """Whether the lead's full name is the one its first and last name make (or unset)."""
    full = " ".join((lead.full_name or "").split())
    return not full or full == full_name_of(lead.first_name, lead.last_name)


def update_field(
    session: Session, lead: Lead, field: str, raw_value, performed_by_id: uuid.UUID | None
) -> list[str]:
    """Set one field after validation; returns the fields that changed (none: nothing did).

    A full name made from first and last name follows them when they change; one that
    differs (typed on its own) is kept. Clearing the full name sets it back to the one
    first and last name make, so the stored name (My Leads sorts by it) is never empty
    while they are not.
    """
    if field not in INLINE_FIELDS:
        raise ValidationFailed({field: "cannot be edited here"})
    value = clean_lead_fields({field: raw_value})[field]
    if field == "email" and value:
        other = find_by_email(session, lead.workspace_id, value)
        if other is not None and other.id != lead.id:
            raise ValidationFailed(
                {"email": f"already belongs to another lead ({other.display_name})"}
            )
    if field == "full_name" and value is None:
        value = full_name_of(lead.first_name, lead.last_name)
    old = getattr(lead, field)
    if old == value:
        return []
    name_follows = field in NAME_PARTS and _follows_parts(lead)
    if value is None and field in IDENTIFYING_FIELDS:
        _keep_identified(lead, field, name_follows)
    setattr(lead, field, value)
    if field == "email":
        lead.email_normalized = normalize_email_key(value)
    changed, data = [field], {"field": field, "old": _json_safe(old), "new": _json_safe(value)}
    if name_follows:
        full_name = full_name_of(lead.first_name, lead.last_name)
        if full_name != lead.full_name:
            data["full_name"] = {"old": lead.full_name, "new": full_name}
            lead.full_name = full_name
            changed.append("full_name")
    lead.updated_at = utcnow()
    description = f"{field.replace('_', ' ').capitalize()} changed"
    if "full_name" in data:
        description += ", and the full name with it"
    add_activity(session, lead, "updated", description, performed_by_id, data)
    return changed


def _keep_identified(lead: Lead, cleared: str, name_follows: bool) -> None:
    """Refuse to clear the last field a lead is known by (as a new lead needs one)."""
    left = {f: getattr(lead, f) for f in IDENTIFYING_FIELDS if f != cleared}
    if name_follows:  # the full name goes with the part
        parts = {p: None if p == cleared else getattr(lead, p) for p in NAME_PARTS}
        left["full_name"] = full_name_of(*parts.values())
    if not any(left.values()):
        raise ValidationFailed({cleared: f"cannot be emptied: a lead needs {NEEDED}"})


def _json_safe(value):
    return value if value is None or isinstance(value, str | int | bool) else str(value)


def set_priority(session: Session, lead: Lead, priority: str, performed_by_id) -> bool:
    if priority not in PRIORITIES:
        raise ValidationFailed({"priority": f"must be one of {', '.join(PRIORITIES)}"})
    if lead.priority == priority:
        return False
    old, lead.priority = lead.priority, priority
    add_activity(
        session,
        lead,
        "updated",
        f"Priority {old} → {priority}",
        performed_by_id,
        {"field": "priority", "old": old, "new": priority},
    )
    return True


def _note_text(text: str | None, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({field: "is required"})
    if len(text) > MAX_NOTE:
        raise ValidationFailed({field: f"must be at most {MAX_NOTE} characters"})
    if has_nul(text):
        raise ValidationFailed({field: NUL_REASON})
    return text


def add_note(session: Session, lead: Lead, text: str, performed_by_id) -> None:
    add_activity(session, lead, "note_added", _note_text(text, "note"), performed_by_id)


def log_contact(
    session: Session, lead: Lead, channel: str, summary: str | None, performed_by_id
) -> None:
    """Record a call, e-mail or meeting; the lead's last activity moves to now."""
    if channel not in CONTACT_CHANNELS:
        raise ValidationFailed({"channel": f"must be one of {', '.join(CONTACT_CHANNELS)}"})
    summary = (summary or "").strip()
    if len(summary) > MAX_NOTE:
        raise ValidationFailed({"summary": f"must be at most {MAX_NOTE} characters"})
    if has_nul(summary):
        raise ValidationFailed({"summary": NUL_REASON})
    description = f"{channel.capitalize()}" + (f": {summary}" if summary else "")
    add_activity(session, lead, "contacted", description, performed_by_id, {"channel": channel})
