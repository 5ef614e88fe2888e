"""The status pipeline and assignment: the rules every way of changing a lead shares."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead, Membership, User
from webapp.models.base import utcnow
from webapp.models.leads import CLOSED_STATUSES, PIPELINE_STATUSES, STATUSES
from webapp.services.errors import NUL_REASON, ValidationFailed, has_nul
from webapp.services.events.outbox import emit_event
from webapp.services.leads.edit import add_note
from webapp.services.leads.timeline import add_activity

MAX_NOTE_LENGTH = 10_000
OPEN_STATUSES = tuple(s for s in PIPELINE_STATUSES if s not in CLOSED_STATUSES)


def change_status(
    session: Session,
    lead: Lead,
    new_status: str,
    performed_by_id: uuid.UUID | None,
    note: str | None = None,
) -> bool:
    """Move a lead to `new_status`; returns False when it already was there.

    Closing sets closed_at, reopening clears it (see _update_closed_at); writes a
    status_changed activity (old -> new) and a LeadStatusChanged event. The caller commits.
    """
    if new_status not in STATUSES:
        raise ValidationFailed({"status": f"must be one of {', '.join(STATUSES)}"})
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE_LENGTH:
        raise ValidationFailed({"notes": f"must be at most {MAX_NOTE_LENGTH} characters"})
    if has_nul(note):
        raise ValidationFailed({"notes": NUL_REASON})
    old_status = lead.status
    if old_status == new_status:
        return False
    lead.status = new_status
    _update_closed_at(lead, new_status)
    lead.updated_at = utcnow()
    description = f"{old_status} → {new_status}" + (f": {note}" if note else "")
    add_activity(
        session,
        lead,
        "status_changed",
        description,
        performed_by_id,
        {"old_status": old_status, "new_status": new_status, "note": note},
    )
    emit_event(
        session,
        lead.workspace_id,
        "LeadStatusChanged",
        lead.id,
        old_status=old_status,
        new_status=new_status,
    )
    return True


def _update_closed_at(lead: Lead, new_status: str) -> None:
    """When the lead closed: set on closing, cleared on reopening.

    Archiving or rejecting a closed lead keeps the date: it still closed then.
    """
    if new_status in CLOSED_STATUSES:
        lead.closed_at = utcnow()
    elif new_status in OPEN_STATUSES:
        lead.closed_at = None


def change_status_or_add_note(
    session: Session,
    lead: Lead,
    new_status: str,
    performed_by_id: uuid.UUID | None,
    note: str | None = None,
) -> str | None:
    """The status bar's action: change_status, keeping a note sent with the current status.

    Returns "status" when the status changed, "note" when only the note was
    recorded (a note_added activity, as the notes form writes it), None when
    nothing was. The caller commits.
    """
    if change_status(session, lead, new_status, performed_by_id, note):
        return "status"
    if not (note or "").strip():
        return None
    add_note(session, lead, note, performed_by_id)
    return "note"


def assignable_user(session: Session, workspace_id: uuid.UUID, user_id) -> User:
    """The active member of the workspace with this id, or ValidationFailed."""
    try:
        wanted = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
    except ValueError:
        raise ValidationFailed({"assigned_to": "is not a member of this workspace"}) from None
    user = session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.id == wanted,
            Membership.workspace_id == workspace_id,
            Membership.active.is_(True),
            User.active.is_(True),
        )
    ).scalar()
    if user is None:
        raise ValidationFailed({"assigned_to": "is not a member of this workspace"})
    return user


def assign_lead(
    session: Session,
    lead: Lead,
    user_id,
    performed_by_id: uuid.UUID | None,
) -> bool:
    """Give the lead to a member (or nobody, with None); returns False if unchanged.

    Writes an `assigned` activity and a LeadAssigned event. The caller commits.
    """
    user = assignable_user(session, lead.workspace_id, user_id) if user_id else None
    new_id = user.id if user else None
    if lead.assigned_to_id == new_id:
        return False
    old_id = lead.assigned_to_id
    lead.assigned_to_id = new_id
    lead.assigned_to = user
    lead.updated_at = utcnow()
    description = f"Assigned to {user.display_name}" if user else "Unassigned"
    add_activity(
        session,
        lead,
        "assigned",
        description,
        performed_by_id,
        {
            "old_assigned_to": str(old_id) if old_id else None,
            "assigned_to": str(new_id) if new_id else None,
        },
    )
    emit_event(
        session,
        lead.workspace_id,
        "LeadAssigned",
        lead.id,
        assigned_to=str(new_id) if new_id else None,
        previous_assigned_to=str(old_id) if old_id else None,
        assigned_by=str(performed_by_id) if performed_by_id else None,
    )
    return True
