"""Lead lists through the API (bearer tokens): list them, make one, read members.

Thin, as the lead API: read the declared query or body (webapp.api.schemas), call
the lists services, commit, answer the declared shape.
"""

from __future__ import annotations

from flask import Blueprint, abort

from webapp.api import tokens
from webapp.api.schemas import (
    MAX_LIMIT,
    LeadListPage,
    LeadListsQuery,
    LeadListSummary,
    ListMember,
    ListMemberPage,
    ListMembersQuery,
    NewLeadList,
)
from webapp.api.validation import read_body, read_query
from webapp.extensions import db
from webapp.models import LeadList
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.lists.lists import ListSummary, create_list, lists_overview
from webapp.services.lists.member_page import member_filter, page_of_members
from webapp.tenancy import parse_uuid, scoped

bp = Blueprint("list_api", __name__)
tokens.protect(bp)


def _json(model, status: int = 200):
    return model.model_dump(mode="json"), status


def _summary(row: ListSummary) -> LeadListSummary:
    return LeadListSummary(
        id=row.id,
        name=row.name,
        description=row.description,
        type=row.list_type,
        member_count=row.member_count,
        campaign_count=row.campaign_count,
        tags=row.tags,
        archived=row.is_archived,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _audit(action: str, lead_list_id, details: dict) -> None:
    token = tokens.current_token()
    record_audit(
        db.session,
        token.workspace_id,
        token.created_by_id,
        action,
        "list",
        lead_list_id,
        {**details, "api_token_id": str(token.id), "api_token": token.name},
        client_ip(),
    )


@bp.get("/lists")
def list_lists():
    query = read_query(LeadListsQuery)
    rows = lists_overview(
        db.session, tokens.current_token().workspace_id, query.q or "", query.archived
    )
    return _json(LeadListPage(items=[_summary(r) for r in rows], total=len(rows)))


@bp.post("/lists")
def create_list_endpoint():
    body = read_body(NewLeadList)
    workspace_id = tokens.current_token().workspace_id
    made = create_list(
        db.session, workspace_id, body.name, body.description, body.tags or [], tokens.actor_id()
    )
    _audit("list.created", made.id, {"name": made.name, "type": "static"})
    db.session.commit()
    (row,) = [r for r in lists_overview(db.session, workspace_id) if r.id == made.id]
    return _json(_summary(row), 201)


@bp.get("/lists/<list_id>/members")
def list_members(list_id):
    parsed = parse_uuid(list_id)
    token = tokens.current_token()
    lead_list = (
        db.session.execute(
            scoped(LeadList, token.workspace_id).where(LeadList.id == parsed)
        ).scalar()
        if parsed
        else None
    )
    if lead_list is None:
        abort(404, "No such list.")
    query = read_query(ListMembersQuery)
    wanted = {"sort": "added", "page": str(query.page), "per_page": "100"}
    lead_filter = member_filter(wanted, lead_list)
    lead_filter.per_page = min(query.limit, MAX_LIMIT)
    if lead_list.list_type != "static":
        lead_filter.sort = "created"
    page = page_of_members(db.session, lead_list, lead_filter, token.created_by_id)
    _audit(
        "api.list.members_read",
        lead_list.id,
        {"name": lead_list.name, "page": lead_filter.page, "count": len(page.rows)},
    )
    db.session.commit()
    items = [
        ListMember(
            lead_id=r.id,
            name=r.display_name,
            email=r.email,
            company=r.company_name,
            status=r.status,
            added_at=r.added_at,
            added_by=r.added_by,
            note=r.note,
        )
        for r in page.rows
    ]
    return _json(
        ListMemberPage(
            items=items, total=page.total, page=lead_filter.page, limit=lead_filter.per_page
        )
    )
