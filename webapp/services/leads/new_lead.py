"""A lead typed into the New lead form."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.services.leads.edit import full_name_of
from webapp.services.leads.timeline import CaptureResult, create_lead


def create_from_form(
    session: Session, workspace_id: uuid.UUID, values: dict, performed_by_id: uuid.UUID | None
) -> CaptureResult:
    """Create the lead (or fold it into the one with its email), its full name made up.

    The form asks for first and last name; the full name is stored too, as the inline
    editor keeps it, because the lead's heading and My Leads' name sort read it. On a
    duplicate, a lead without a full name gets the one its own first and last name make
    (what it already shows), never one made of the form's.
    """
    values = dict(values)
    if not (values.get("full_name") or "").strip():
        values["full_name"] = full_name_of(values.get("first_name"), values.get("last_name"))
    result = create_lead(session, workspace_id, values, performed_by_id)
    if not result.created and not result.lead.full_name:
        result.lead.full_name = full_name_of(result.lead.first_name, result.lead.last_name)
    return result
