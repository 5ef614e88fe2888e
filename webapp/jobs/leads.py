"""Lead jobs: thin wrappers that load by id and call a service."""

from __future__ import annotations

import uuid

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.models import Lead
from webapp.services.leads.timeline import add_activity


@job("leads.record_activity", label="Timeline entry")
def record_activity(
    run, workspace_id: str, lead_id: str, activity_type: str, description: str | None = None
) -> str | None:
    """Append an activity to a lead's timeline; returns its id, or None if the lead is gone."""
    lead = db.session.execute(
        db.select(Lead).where(
            Lead.id == uuid.UUID(lead_id), Lead.workspace_id == uuid.UUID(workspace_id)
        )
    ).scalar()
    if lead is None:
        return None
    activity = add_activity(db.session, lead, activity_type, description)
    db.session.commit()
    return str(activity.id)
