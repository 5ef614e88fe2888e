"""Bulk actions on selected leads or on every lead matching a filter.

A small selection is one transaction in the request (`run_bulk`). A large "all
matching" one is a job (webapp.jobs.leads.bulk_update) that applies `apply_bulk` to
batches of ids, one transaction each, so it shows progress and can be cancelled
between batches; what was done before a cancel stays done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.leads import STATUSES
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.leads.changes import assign_lead, change_status, tag_lead, untag_lead
from webapp.services.leads.filters import LeadFilter, matching_leads
from webapp.services.leads.input import clean_tag_names
from webapp.services.lists.lists import find_or_create_list
from webapp.services.lists.members import add_members

ACTIONS = ("status", "assign", "add_tags", "remove_tags", "add_to_list", "archive", "delete")
ADMIN_ACTIONS = ("delete",)
MAX_BULK = 50_000
BATCH = 500


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

    def to_job(self) -> dict:
        """The request as plain JSON for a job (the filter as its URL arguments)."""
        fields = {k: v for k, v in vars(self).items() if k not in ("lead_ids", "lead_filter")}
        fields["lead_ids"] = None if self.lead_ids is None else [str(i) for i in self.lead_ids]
        fields["filter"] = (self.lead_filter or LeadFilter()).to_args()
        return fields

    @classmethod
    def from_job(cls, data: dict) -> BulkRequest:
        fields = dict(data)
        ids = fields.pop("lead_ids")
        lead_filter = LeadFilter.from_args(fields.pop("filter") or {})
        lead_ids = None if ids is None else [uuid.UUID(i) for i in ids]
        return cls(lead_ids=lead_ids, lead_filter=lead_filter, **fields)


def _target_query(session: Session, workspace_id, request: BulkRequest, user_id, timezone):
    if request.lead_ids is not None:
        return select(Lead.id).where(
            Lead.workspace_id == workspace_id, Lead.id.in_(request.lead_ids)
        )
    return matching_leads(
        session, (Lead.id,), request.lead_filter or LeadFilter(), workspace_id, user_id, timezone
    )


def count_up_to(session: Session, workspace_id, request: BulkRequest, user_id, timezone, cap=None):
    """How many leads the request covers, counting no further than `cap` (None: all)."""
    query = _target_query(session, workspace_id, request, user_id, timezone)
    if cap is not None:
        query = query.limit(cap)
    return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def _too_many(session: Session, workspace_id, request: BulkRequest, user_id, timezone):
    matching = count_up_to(session, workspace_id, request, user_id, timezone)
    return ValidationFailed(
        {
            "selection": f"bulk actions take at most {MAX_BULK:,} leads and {matching:,} "
            "match; narrow the filter"
        }
    )


def checked_size(session: Session, workspace_id, request: BulkRequest, user_id, timezone) -> int:
    """How many leads the request covers; ValidationFailed naming the limit and the count
    when that is more than MAX_BULK, so a request refuses it before any job starts."""
    size = count_up_to(session, workspace_id, request, user_id, timezone, MAX_BULK + 1)
    if size > MAX_BULK:
        raise _too_many(session, workspace_id, request, user_id, timezone)
    return size


def target_ids(session: Session, workspace_id, request: BulkRequest, user_id, timezone) -> list:
    query = _target_query(session, workspace_id, request, user_id, timezone)
    ids = list(session.execute(query.limit(MAX_BULK + 1)).scalars())
    if len(ids) > MAX_BULK:
        raise _too_many(session, workspace_id, request, user_id, timezone)
    return ids


def _leads(session: Session, ids: list):
    for start in range(0, len(ids), 500):
        yield from session.execute(
            select(Lead).where(Lead.id.in_(ids[start : start + 500]))
        ).scalars()


def check_request(request: BulkRequest, is_admin: bool) -> None:
    """What can be refused before any lead is read: the action, the role, the value."""
    if request.action not in ACTIONS:
        raise ValidationFailed({"action": "choose an action"})
    if request.action in ADMIN_ACTIONS and not is_admin:
        raise PermissionError(request.action)
    if request.action == "status" and request.status not in STATUSES:
        raise ValidationFailed({"status": f"must be one of {', '.join(STATUSES)}"})
    if request.action in ("add_tags", "remove_tags") and not clean_tag_names(request.tags or ""):
        raise ValidationFailed({"tags": "name at least one tag"})


def chosen_ids(session: Session, workspace_id, request: BulkRequest, user_id, timezone) -> list:
    """The leads the action applies to; ValidationFailed when there are none (or too many)."""
    ids = target_ids(session, workspace_id, request, user_id, timezone)
    if not ids:
        everything = request.lead_ids is None
        reason = "no leads match the filter" if everything else "select at least one lead"
        raise ValidationFailed({"selection": reason})
    return ids


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
    check_request(request, is_admin)
    ids = chosen_ids(session, workspace_id, request, user_id, timezone)
    return apply_bulk(session, workspace_id, request, ids, user_id, ip)


def apply_bulk(
    session: Session, workspace_id: uuid.UUID, request: BulkRequest, ids: list, user_id, ip=None
) -> int:
    """Apply a checked request to these lead ids; returns how many changed. No commit."""
    if request.action == "add_to_list":
        lead_list = find_or_create_list(
            session, workspace_id, request.list_id, request.list_name, user_id
        )
        added = add_members(session, lead_list, ids, user_id)  # and their timeline entries
        if added.count:
            record_audit(
                session,
                workspace_id,
                user_id,
                "list.members_added",
                "list",
                lead_list.id,
                {
                    "count": added.count,
                    "name": lead_list.name,
                    "lead_ids": [str(i) for i in added.lead_ids],
                },
                ip,
            )
        return added.count
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
    if action == "add_tags":
        return bool(tag_lead(session, lead, request.tags, user_id))
    return bool(untag_lead(session, lead, request.tags, user_id))
