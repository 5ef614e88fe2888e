"""Bulk actions on selected leads or on every lead matching a filter: one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.lead_filters import LeadFilter, matching_leads
from webapp.services.lead_lists import add_leads_to_list, find_or_create_list
from webapp.services.lead_work import assign_lead, change_status
from webapp.services.leads import add_activity
from webapp.services.tags import add_tags, clean_tag_names, remove_tags

ACTIONS = ("status", "assign", "add_tags", "remove_tags", "add_to_list", "archive", "delete")
ADMIN_ACTIONS = ("delete",)
MAX_BULK = 50_000


@dataclass
class BulkRequest:
    action: str
    lead_ids: list[uuid.UUID] | None  # None means every lead matching `lead_filter`
    lead_filter: LeadFilter | None = None
    status: str | None = None
    note: str | None = None
    assigned_to: str | None = None
    tags: str | None = None
    list_id: str | None = None
    list_name: str | None = None


def target_ids(session: Session, workspace_id, request: BulkRequest, user_id, timezone) -> list:
    if request.lead_ids is not None:
        query = select(Lead.id).where(
            Lead.workspace_id == workspace_id, Lead.id.in_(request.lead_ids)
        )
    else:
        query = matching_leads(
            session,
            (Lead.id,),
            request.lead_filter or LeadFilter(),
            workspace_id,
            user_id,
            timezone,
        )
    ids = list(session.execute(query.limit(MAX_BULK + 1)).scalars())
    if len(ids) > MAX_BULK:
        raise ValidationFailed(
            {"selection": f"bulk actions take at most {MAX_BULK:,} leads; narrow the filter"}
        )
    return ids


def _leads(session: Session, ids: list):
    for start in range(0, len(ids), 500):
        yield from session.execute(
            select(Lead).where(Lead.id.in_(ids[start : start + 500]))
        ).scalars()


def run_bulk(
    session: Session,
    workspace_id: uuid.UUID,
    request: BulkRequest,
    user_id,
    is_admin: bool,
    timezone: str = "UTC",
    ip: str | None = None,
) -> int:
    """Apply the action; returns how many leads changed. The caller commits (or rolls back)."""
    if request.action not in ACTIONS:
        raise ValidationFailed({"action": "choose an action"})
    if request.action in ADMIN_ACTIONS and not is_admin:
        raise PermissionError(request.action)
    ids = target_ids(session, workspace_id, request, user_id, timezone)
    if not ids:
        everything = request.lead_ids is None
        reason = "no leads match the filter" if everything else "select at least one lead"
        raise ValidationFailed({"selection": reason})
    if request.action == "add_to_list":
        lead_list = find_or_create_list(
            session, workspace_id, request.list_id, request.list_name, user_id
        )
        added = add_leads_to_list(session, lead_list, ids, user_id)
        if added:
            record_audit(
                session,
                workspace_id,
                user_id,
                "list.members_added",
                "list",
                lead_list.id,
                {
                    "count": len(added),
                    "name": lead_list.name,
                    "lead_ids": [str(i) for i in added[:1000]],
                },
                ip,
            )
        for lead in _leads(session, added):  # members already get no second activity
            add_activity(
                session,
                lead,
                "updated",
                f"Added to list {lead_list.name}",
                user_id,
                {"list_id": str(lead_list.id)},
            )
        return len(added)
    if request.action == "delete":
        record_audit(
            session,
            workspace_id,
            user_id,
            "leads.deleted",
            "lead",
            None,
            {"count": len(ids), "ids": [str(i) for i in ids[:1000]]},
            ip,
        )
        for lead in _leads(session, ids):
            session.delete(lead)
        return len(ids)
    return sum(_apply_one(session, lead, request, user_id) for lead in _leads(session, ids))


def _apply_one(session: Session, lead: Lead, request: BulkRequest, user_id) -> bool:
    action = request.action
    if action in ("status", "archive"):
        status = "archived" if action == "archive" else request.status
        return change_status(session, lead, status or "", user_id, request.note)
    if action == "assign":
        return assign_lead(session, lead, request.assigned_to or None, user_id)
    names = clean_tag_names(request.tags or "")
    if not names:
        raise ValidationFailed({"tags": "name at least one tag"})
    if action == "add_tags":
        before = {t.name for t in lead.tags}
        add_tags(session, lead, names)
        changed = [n for n in names if n not in before]
        verb = "Tagged"
    else:
        changed = remove_tags(session, lead, names)
        verb = "Untagged"
    if changed:
        add_activity(
            session,
            lead,
            "updated",
            f"{verb} {', '.join(changed)}",
            user_id,
            {"tags": changed, "action": action},
        )
    return bool(changed)
