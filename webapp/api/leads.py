"""The admin lead API: list, read, change status, assign, log activities (bearer tokens).

Thin: read the declared body or query (webapp.api.schemas), call one service,
commit, answer the declared shape. docs/contracts.md has the contract.
"""

from __future__ import annotations

from flask import Blueprint, abort

from webapp.api import tokens
from webapp.api.schemas import (
    MAX_LIMIT,
    Assigned,
    Assignment,
    LeadListQuery,
    LeadPage,
    NewActivity,
    StatusChange,
    StatusChanged,
)
from webapp.api.shapes import activity_body, lead_detail, lead_summary
from webapp.api.validation import json_object, read_query, validated
from webapp.errors import api_error
from webapp.extensions import db
from webapp.models import Lead
from webapp.services.leads.changes import (
    StatusConflict,
    assign_lead,
    change_status,
    log_client_activity,
)
from webapp.services.leads.filters import LeadFilter
from webapp.services.leads.listing import list_leads, recent_activities
from webapp.tenancy import parse_uuid, scoped

bp = Blueprint("lead_api", __name__)
tokens.protect(bp)


def _json(model, status: int = 200):
    return model.model_dump(mode="json"), status


def _lead(lead_id: str, for_update: bool = False) -> Lead:
    parsed = parse_uuid(lead_id)
    if parsed is None:
        abort(404, "No such lead.")
    query = scoped(Lead, tokens.current_token().workspace_id).where(Lead.id == parsed)
    if for_update:
        # Concurrent changes to one lead queue up instead of reading stale state.
        query = query.with_for_update(of=Lead)
    lead = db.session.execute(query).scalar()
    if lead is None:
        abort(404, "No such lead.")
    return lead


def lead_filter(query: LeadListQuery) -> LeadFilter:
    """The API's parameters as My Leads' filter model."""
    return LeadFilter(
        statuses=[query.status] if query.status else [],
        sources=[query.source] if query.source else [],
        owner=query.assigned_to,
        type=query.type,
        intents=[query.intent] if query.intent else [],
        tag=query.tag.strip().lower() if query.tag else None,
        q=(query.q or "").strip(),
        created_from=query.created_from,
        created_to=query.created_to,
        sort=query.sort,
        direction=query.direction,
        page=1 if query.cursor else query.page,
        per_page=min(query.limit, MAX_LIMIT),
    )


# No automatic OPTIONS: a CORS preflight for this URL belongs to the public capture.
@bp.route("/leads", methods=["GET"], provide_automatic_options=False)
def list_leads_endpoint():
    query = read_query(LeadListQuery)
    chosen = lead_filter(query)
    found = list_leads(db.session, tokens.current_token().workspace_id, chosen, query.cursor)
    filters = query.model_dump(
        mode="json", exclude_none=True, exclude={"page", "limit", "cursor", "sort", "direction"}
    )
    tokens.audit(
        "api.leads.listed",
        details={
            "filter": filters,
            "page": chosen.page,
            "limit": chosen.per_page,
            "cursor": bool(query.cursor),
            "count": len(found.leads),
            "total": found.total,
        },
    )
    db.session.commit()
    page = LeadPage(
        items=[lead_summary(lead) for lead in found.leads],
        total=found.total,
        page=chosen.page,
        limit=chosen.per_page,
        next_cursor=found.next_cursor,
    )
    return _json(page)


@bp.get("/leads/<lead_id>")
def lead_detail_endpoint(lead_id):
    lead = _lead(lead_id)
    activities, activities_total = recent_activities(db.session, lead)
    body = lead_detail(lead, activities, activities_total)
    tokens.audit("api.lead.viewed", lead.id)
    db.session.commit()
    return _json(body)


@bp.patch("/leads/<lead_id>/status")
def change_status_endpoint(lead_id):
    body = json_object()
    lead = _lead(lead_id, for_update=True)
    change = validated(StatusChange, body)
    try:
        change_status(
            db.session, lead, change.status, tokens.actor_id(), change.notes, change.expected_status
        )
    except StatusConflict as exc:
        db.session.rollback()
        return api_error(409, str(exc), current_status=exc.current_status)
    db.session.commit()
    return _json(StatusChanged(id=lead.id, status=lead.status, updated_at=lead.updated_at))


@bp.post("/leads/<lead_id>/assign")
def assign_endpoint(lead_id):
    body = json_object()
    lead = _lead(lead_id, for_update=True)
    assignment = validated(Assignment, body)
    assign_lead(db.session, lead, assignment.assigned_to, tokens.actor_id())
    db.session.commit()
    answer = Assigned(id=lead.id, assigned_to=lead.assigned_to_id, updated_at=lead.updated_at)
    return _json(answer)


@bp.post("/leads/<lead_id>/activities")
def add_activity_endpoint(lead_id):
    body = json_object()
    lead = _lead(lead_id, for_update=True)
    new = validated(NewActivity, body)
    activity = log_client_activity(
        db.session, lead, new.activity_type, new.description, tokens.actor_id()
    )
    db.session.commit()
    return _json(activity_body(activity), 201)
