"""What an API client may write on a lead's timeline by itself: a note or a contact.

Status changes and assignment have their own endpoints (they carry rules and
events); every other activity is written by the app.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity
from webapp.services.errors import NUL_REASON, ValidationFailed, has_nul
from webapp.services.leads.timeline import add_activity

MAX_DESCRIPTION_LENGTH = 10_000
CLIENT_ACTIVITY_TYPES = ("note_added", "contacted")


def log_client_activity(
    session: Session,
    lead: Lead,
    activity_type,
    description,
    performed_by_id: uuid.UUID | None,
) -> LeadActivity:
    """Add a note (its description required) or a contact to the timeline. The caller commits."""
    errors: dict[str, str] = {}
    if activity_type not in CLIENT_ACTIVITY_TYPES:
        errors["activity_type"] = f"must be one of {', '.join(CLIENT_ACTIVITY_TYPES)}"
    if description is not None and not isinstance(description, str):
        errors["description"] = "must be text"
    else:
        description = (description or "").strip() or None
        if description is None and activity_type == "note_added":
            errors["description"] = "is required for a note"
        elif description and len(description) > MAX_DESCRIPTION_LENGTH:
            errors["description"] = f"must be at most {MAX_DESCRIPTION_LENGTH} characters"
        elif has_nul(description):
            errors["description"] = NUL_REASON
    if errors:
        raise ValidationFailed(errors)
    return add_activity(session, lead, activity_type, description, performed_by_id)
