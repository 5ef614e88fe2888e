"""Editing a lead's fields in place, one at a time (its work: leads/changes.py)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.base import utcnow
from webapp.models.leads import full_name_of
from webapp.services.errors import ValidationFailed
from webapp.services.leads.input import (
    EDITABLE_FIELDS,
    IDENTIFYING_FIELDS,
    NEEDED,
    clean_lead_fields,
)
from webapp.services.leads.timeline import add_activity, find_by_email
from webapp.services.normalize import normalize_email_key

# Status and priority have their own controls (with their own rules and activities).
# Intent is computed from signals: the explanation and score follow it, never typed
# (services/pipeline/scoring.py); a person's intent is an override (pipeline/override.py).
INLINE_FIELDS = tuple(
    f
    for f in EDITABLE_FIELDS
    if f not in ("status", "priority", "intent_explanation", "lead_score")
)
NAME_PARTS = ("first_name", "last_name")


def _follows_parts(lead: Lead) -> bool:
    """Whether the lead's full name is the one its first and last name make (or unset)."""
    full = " ".join((lead.full_name or "").split())
    return not full or full == full_name_of(lead.first_name, lead.last_name)


def update_field(
    session: Session,
    lead: Lead,
    field: str,
    raw_value,
    performed_by_id: uuid.UUID | None,
    ip_address: str | None = None,
) -> list[str]:
    """Set one field after validation; returns the fields that changed (none: nothing did).

    A full name made from first and last name follows them when they change; one that
    differs (typed on its own) is kept. Clearing the full name sets it back to the one
    first and last name make, so the stored name (My Leads sorts by it) is never empty
    while they are not.
    """
    if field not in INLINE_FIELDS:
        raise ValidationFailed({field: "cannot be edited here"})
    if field == "intent":  # a person's intent is an override, kept beside the computed one
        from webapp.services.pipeline.override import override_intent

        score = lead.lead_score
        if not override_intent(session, lead, raw_value, performed_by_id, ip_address):
            return []
        return ["intent"] + (["lead_score"] if lead.lead_score != score else [])
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
