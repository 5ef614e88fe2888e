"""Changes to a lead's work: status, owner, priority, tags, notes and the contact log.

The one place these change. The lead page, bulk actions, the API and jobs all call
it, so each change is checked by the same rules and leaves the same trace: an
activity on the lead's timeline and, for the changes others subscribe to, an event
in the outbox (LeadStatusChanged, LeadAssigned) in the same transaction.

Nothing here commits: the view, job or CLI command that owns the unit of work does,
so a bulk action or an import composes many changes into one transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity, Membership, User
from webapp.models.base import utcnow
from webapp.models.leads import CLOSED_STATUSES, PIPELINE_STATUSES, PRIORITIES, STATUSES
from webapp.services.errors import Conflict, ValidationFailed
from webapp.services.events.outbox import emit_event
from webapp.services.leads.input import clean_note, clean_tag_names
from webapp.services.leads.tags import add_tags, remove_tags
from webapp.services.leads.timeline import add_activity

OPEN_STATUSES = tuple(s for s in PIPELINE_STATUSES if s not in CLOSED_STATUSES)
CONTACT_CHANNELS = ("call", "email", "meeting")
# What an API client may log by itself. Status changes and assignment have their
# own calls (they carry rules and events); the rest are written by the app.
CLIENT_ACTIVITY_TYPES = ("note_added", "contacted")


def _choice(field: str, value, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValidationFailed({field: f"must be one of {', '.join(choices)}"})
    return value


class StatusConflict(Conflict):
    """The lead's status is not the one the caller decided on (someone changed it)."""

    def __init__(self, current_status: str, expected_status: str):
        super().__init__(
            f"The lead is '{current_status}' now, not '{expected_status}'. Reload and decide again."
        )
        self.current_status = current_status


def change_status(
    session: Session,
    lead: Lead,
    new_status: str,
    performed_by_id: uuid.UUID | None,
    note: str | None = None,
    expected_status: str | None = None,
) -> bool:
    """Move a lead to `new_status`; returns False when it already was there.

    Closing sets closed_at, reopening clears it (see _update_closed_at); writes a
    status_changed activity (old -> new) and a LeadStatusChanged event. With
    `expected_status`, raises StatusConflict unless the lead still has it.
    """
    _choice("status", new_status, STATUSES)
    note = clean_note(note, "notes", required=False)
    if expected_status is not None and expected_status != lead.status:
        raise StatusConflict(lead.status, expected_status)
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
    nothing was.
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

    Writes an `assigned` activity and a LeadAssigned event.
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


def set_priority(session: Session, lead: Lead, priority: str, performed_by_id) -> bool:
    """Set the priority; returns False when it already was that one."""
    _choice("priority", priority, PRIORITIES)
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


def tag_lead(session: Session, lead: Lead, names, performed_by_id) -> list[str]:
    """Add tags (a list or "a, b"); returns the ones the lead did not have yet."""
    names = clean_tag_names(names)
    if not names:
        raise ValidationFailed({"tags": "name a tag to add"})
    before = {t.name for t in lead.tags}
    add_tags(session, lead, names)
    added = [n for n in names if n not in before]
    _tag_activity(session, lead, "Tagged", added, "add_tags", performed_by_id)
    return added


def untag_lead(session: Session, lead: Lead, names, performed_by_id) -> list[str]:
    """Take tags off; returns the ones the lead had."""
    names = clean_tag_names(names)
    if not names:
        raise ValidationFailed({"tags": "name a tag to remove"})
    removed = remove_tags(session, lead, names)
    _tag_activity(session, lead, "Untagged", removed, "remove_tags", performed_by_id)
    return removed


def _tag_activity(session, lead: Lead, verb: str, names: list[str], action: str, by) -> None:
    if names:
        add_activity(
            session,
            lead,
            "updated",
            f"{verb} {', '.join(names)}",
            by,
            {"tags": names, "action": action},
        )


def add_note(
    session: Session, lead: Lead, text, performed_by_id, field: str = "note"
) -> LeadActivity:
    """A note on the timeline; `field` names the input in an error."""
    return add_activity(session, lead, "note_added", clean_note(text, field), performed_by_id)


def log_contact(
    session: Session, lead: Lead, channel: str, summary, performed_by_id
) -> LeadActivity:
    """Record a call, e-mail or meeting; the lead's last activity moves to now."""
    _choice("channel", channel, CONTACT_CHANNELS)
    summary = clean_note(summary, "summary", required=False)
    description = f"{channel.capitalize()}" + (f": {summary}" if summary else "")
    return add_activity(
        session, lead, "contacted", description, performed_by_id, {"channel": channel}
    )


def log_client_activity(
    session: Session, lead: Lead, activity_type, description, performed_by_id
) -> LeadActivity:
    """A note or a contact an API client logs, its description as sent."""
    errors: dict[str, str] = {}
    if activity_type not in CLIENT_ACTIVITY_TYPES:
        errors["activity_type"] = f"must be one of {', '.join(CLIENT_ACTIVITY_TYPES)}"
    try:
        is_note = activity_type == "note_added"
        description = clean_note(description, "description", required=False)
        if description is None and is_note:
            errors["description"] = "is required for a note"
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return add_activity(session, lead, activity_type, description, performed_by_id)
