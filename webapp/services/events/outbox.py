"""Writing to the events outbox, inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from webapp.models import Event
from webapp.models.base import utcnow


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def event_row(workspace_id, event_type: str, lead_id, fields: dict) -> dict:
    moment = utcnow()
    payload = {"event_type": event_type, "lead_id": str(lead_id) if lead_id else None}
    payload.update({k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in fields.items()})
    payload["timestamp"] = iso(moment)
    return {
        "workspace_id": workspace_id,
        "event_type": event_type,
        "lead_id": lead_id,
        "payload": payload,
        "created_at": moment,
    }


def emit_event(
    session: Session,
    workspace_id: uuid.UUID,
    event_type: str,
    lead_id: uuid.UUID | None,
    **fields,
) -> Event:
    """Add an outbox row; it commits (or rolls back) with the change that caused it.

    Added to the session, so that a bulk change flushes its events in one batch.
    """
    event = Event(**event_row(workspace_id, event_type, lead_id, fields))
    session.add(event)
    return event
