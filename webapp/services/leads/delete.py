"""Deleting one lead from its page (admins): audited with what names it, then gone."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.services.audit import record_audit


def delete_lead(
    session: Session, lead: Lead, user_id: uuid.UUID | None, ip_address: str | None = None
) -> str:
    """Delete the lead (its timeline, tags and memberships go with it); returns its name.

    The audit row keeps the name and email, so the log still reads once the lead is gone.
    """
    name = lead.display_name
    record_audit(
        session,
        lead.workspace_id,
        user_id,
        "lead.deleted",
        "lead",
        lead.id,
        {"name": name, "email": lead.email},
        ip_address,
    )
    session.delete(lead)
    session.flush()
    return name
