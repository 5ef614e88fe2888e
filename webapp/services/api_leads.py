"""What the JSON API reads and writes about leads: filters, pages and JSON shapes.

Shapes follow seed 004 (list items and the detail with activities) and add more
of the lead's fields; they never drop one the seed promises.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity
from webapp.models.leads import SOURCES, STATUSES
from webapp.services.errors import ValidationFailed
from webapp.services.events.outbox import iso

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_PAGE = 100_000
DETAIL_ACTIVITY_LIMIT = 200
UNASSIGNED = "none"


@dataclass
class LeadQuery:
    status: str | None = None
    source: str | None = None
    assigned_to: uuid.UUID | str | None = None  # a user id, or UNASSIGNED
    page: int = 1
    limit: int = DEFAULT_LIMIT
    errors: dict[str, str] = field(default_factory=dict)

    def filters(self) -> dict:
        shown = {"status": self.status, "source": self.source, "assigned_to": self.assigned_to}
        return {k: str(v) for k, v in shown.items() if v is not None}


def _whole_number(args: Mapping[str, str], name: str, default: int, errors: dict) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit():
        errors[name] = "must be a whole number of 1 or more"
        return default
    number = int(raw)
    if number < 1:
        errors[name] = "must be a whole number of 1 or more"
    return number


def parse_lead_query(args: Mapping[str, str]) -> LeadQuery:
    """Read list filters from query parameters; ValidationFailed names each bad one."""
    errors: dict[str, str] = {}
    query = LeadQuery()
    status = (args.get("status") or "").strip()
    if status:
        if status in STATUSES:
            query.status = status
        else:
            errors["status"] = f"must be one of {', '.join(STATUSES)}"
    source = (args.get("source") or "").strip()
    if source:
        if source in SOURCES:
            query.source = source
        else:
            errors["source"] = f"must be one of {', '.join(SOURCES)}"
    assigned = (args.get("assigned_to") or "").strip()
    if assigned.lower() == UNASSIGNED:
        query.assigned_to = UNASSIGNED
    elif assigned:
        try:
            query.assigned_to = uuid.UUID(assigned)
        except ValueError:
            errors["assigned_to"] = f"must be a user id, or '{UNASSIGNED}' for unassigned leads"
    query.page = _whole_number(args, "page", 1, errors)
    if "page" not in errors and query.page > MAX_PAGE:
        errors["page"] = f"must be at most {MAX_PAGE}"
    # A limit above the cap is served at the cap, as the seed's clients expect a page back.
    query.limit = min(_whole_number(args, "limit", DEFAULT_LIMIT, errors), MAX_LIMIT)
    if errors:
        raise ValidationFailed(errors)
    return query


def list_leads(
    session: Session, workspace_id: uuid.UUID, query: LeadQuery
) -> tuple[list[Lead], int]:
    """One page of the workspace's leads, newest first, and how many match in all."""
    conditions = [Lead.workspace_id == workspace_id]
    if query.status:
        conditions.append(Lead.status == query.status)
    if query.source:
        conditions.append(Lead.source == query.source)
    if query.assigned_to == UNASSIGNED:
        conditions.append(Lead.assigned_to_id.is_(None))
    elif query.assigned_to is not None:
        conditions.append(Lead.assigned_to_id == query.assigned_to)
    total = session.execute(select(func.count()).select_from(Lead).where(*conditions)).scalar()
    leads = (
        session.execute(
            select(Lead)
            .where(*conditions)
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .offset((query.page - 1) * query.limit)
            .limit(query.limit)
        )
        .scalars()
        .all()
    )
    return list(leads), int(total or 0)


def recent_activities(session: Session, lead: Lead) -> tuple[list[LeadActivity], int]:
    conditions = (LeadActivity.lead_id == lead.id, LeadActivity.workspace_id == lead.workspace_id)
    total = session.execute(
        select(func.count()).select_from(LeadActivity).where(*conditions)
    ).scalar()
    activities = (
        session.execute(
            select(LeadActivity)
            .where(*conditions)
            .order_by(LeadActivity.created_at.desc(), LeadActivity.id)
            .limit(DETAIL_ACTIVITY_LIMIT)
        )
        .scalars()
        .all()
    )
    return list(activities), int(total or 0)


def timestamp(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _user_id(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def lead_summary(lead: Lead) -> dict:
    return {
        "id": str(lead.id),
        "name": lead.display_name,
        "email": lead.email,
        "phone": lead.phone,
        "company": lead.company_name,
        "status": lead.status,
        "source": lead.source,
        "priority": lead.priority,
        "assigned_to": _user_id(lead.assigned_to_id),
        "created_at": timestamp(lead.created_at),
        "updated_at": timestamp(lead.updated_at),
    }


def activity_json(activity: LeadActivity) -> dict:
    return {
        "id": str(activity.id),
        "lead_id": str(activity.lead_id),
        "activity_type": activity.activity_type,
        "description": activity.description,
        "performed_by": _user_id(activity.performed_by_id),
        "created_at": timestamp(activity.created_at),
    }


def lead_detail(lead: Lead, activities: list[LeadActivity], activities_total: int) -> dict:
    detail = lead_summary(lead)
    detail.update(
        {
            "type": lead.type,
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "message": lead.message,
            "job_title": lead.job_title,
            "company_domain": lead.company_domain,
            "website": lead.website,
            "linkedin_url": lead.linkedin_url,
            "city": lead.city,
            "state": lead.state,
            "country": lead.country,
            "industry": lead.industry,
            "employee_count": lead.employee_count,
            "lead_score": lead.lead_score,
            "intent": lead.intent,
            "tags": [tag.name for tag in lead.tags],
            "closed_at": timestamp(lead.closed_at),
            "last_activity_at": timestamp(lead.last_activity_at),
            "activities": [activity_json(a) for a in activities],
            "activities_total": activities_total,
        }
    )
    return detail
