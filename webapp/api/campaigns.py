"""The campaign API (bearer tokens): list the workspace's campaigns, read one with stats.

Thin, like the lead API: read the declared query, call the campaign services, answer
the declared shape (webapp.api.schemas). docs/contracts.md#lists-campaigns.
"""

from __future__ import annotations

from flask import Blueprint, abort
from sqlalchemy import func, select

from webapp.api import tokens
from webapp.api.schemas import (
    CampaignDetail,
    CampaignListQuery,
    CampaignListStats,
    CampaignPage,
    CampaignSummary,
)
from webapp.api.validation import read_query
from webapp.extensions import db
from webapp.models import Campaign
from webapp.services.campaigns.campaigns import campaigns_overview
from webapp.services.campaigns.queue import queue_size
from webapp.services.campaigns.reports import campaign_totals, list_stats
from webapp.services.errors import NotFound
from webapp.services.scoping import get_owned

bp = Blueprint("campaign_api", __name__)
tokens.protect(bp)


def _summary(campaign: Campaign, total: int, contacted: int, successful: int) -> dict:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "description": campaign.description,
        "status": campaign.status,
        "max_attempts": campaign.max_attempts,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "is_archived": campaign.is_archived,
        "total_leads": int(total or 0),
        "contacted_leads": int(contacted or 0),
        "successful_leads": int(successful or 0),
        "created_at": campaign.created_at,
        "updated_at": campaign.updated_at,
    }


def _rate(value) -> float | None:
    return None if value is None else float(value)


@bp.get("/campaigns")
def list_campaigns_endpoint():
    query = read_query(CampaignListQuery)
    workspace_id = tokens.current_token().workspace_id
    rows = campaigns_overview(db.session, workspace_id, query.archived)
    total = db.session.execute(
        select(func.count())
        .select_from(Campaign)
        .where(Campaign.workspace_id == workspace_id, Campaign.is_archived.is_(query.archived))
    ).scalar_one()
    start = (query.page - 1) * query.limit
    items = [
        CampaignSummary(**_summary(row[0], row.total, row.contacted, row.successful))
        for row in rows[start : start + query.limit]
    ]
    page = CampaignPage(items=items, total=total, page=query.page, limit=query.limit)
    return page.model_dump(mode="json"), 200


@bp.get("/campaigns/<campaign_id>")
def campaign_detail_endpoint(campaign_id):
    try:
        campaign = get_owned(db.session, Campaign, tokens.current_token().workspace_id, campaign_id)
    except NotFound:
        abort(404, "No such campaign.")
    stats = list_stats(db.session, campaign)
    totals = campaign_totals(db.session, campaign, stats)
    lists = [
        CampaignListStats(
            lead_list_id=s.link.lead_list_id,
            name=s.name,
            priority=s.link.priority,
            max_attempts_override=s.link.max_attempts_override,
            filter_criteria=s.link.filter_criteria,
            is_active=s.link.is_active,
            total_leads=s.link.total_leads,
            contacted_leads=s.link.contacted_leads,
            successful_leads=s.link.successful_leads,
            conversion_rate=_rate(s.conversion_rate),
            assigned_at=s.link.assigned_at,
            completed_at=s.link.completed_at,
        )
        for s in stats
    ]
    body = CampaignDetail(
        **_summary(campaign, totals.leads, totals.contacted, totals.successful),
        queued_leads=queue_size(db.session, campaign),
        conversion_rate=_rate(totals.conversion_rate),
        pledged_total=f"{totals.pledged:.2f}",
        donated_total=f"{totals.donated:.2f}",
        lists=lists,
    )
    return body.model_dump(mode="json"), 200
