"""Campaign numbers: per-list stats and totals of a campaign, and seed 003's metric queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import distinct, func, select, text
from sqlalchemy.orm import Session

from webapp.models import Campaign, CampaignLead, CampaignLeadList, Lead, LeadList
from webapp.models.campaigns import AMOUNTS_GIVEN
from webapp.models.leads import INTENTS


def conversion_rate(successful: int, contacted: int) -> Decimal | None:
    """successful / contacted in percent, two decimals (seed 003); None when none contacted."""
    if not contacted:
        return None
    return (Decimal(successful) * 100 / Decimal(contacted)).quantize(Decimal("0.01"))


@dataclass
class ListStats:
    link: CampaignLeadList
    name: str
    list_type: str
    conversion_rate: Decimal | None


def list_stats(session: Session, campaign: Campaign) -> list[ListStats]:
    """The campaign's lists by priority with their counters (seed 003's first metric)."""
    rows = session.execute(
        select(CampaignLeadList, LeadList.name, LeadList.list_type)
        .join(LeadList, LeadList.id == CampaignLeadList.lead_list_id)
        .where(CampaignLeadList.campaign_id == campaign.id)
        .order_by(CampaignLeadList.priority, CampaignLeadList.assigned_at)
    ).all()
    return [
        ListStats(link, name, kind, conversion_rate(link.successful_leads, link.contacted_leads))
        for link, name, kind in rows
    ]


@dataclass
class Totals:
    leads: int
    contacted: int
    successful: int
    pledged: Decimal
    donated: Decimal
    conversion_rate: Decimal | None


def campaign_totals(session: Session, campaign: Campaign, stats: list[ListStats]) -> Totals:
    pledged, donated = session.execute(
        select(
            func.coalesce(func.sum(CampaignLead.pledged_amount), 0),
            func.coalesce(func.sum(CampaignLead.donated_amount), 0),
        ).where(
            CampaignLead.campaign_id == campaign.id,
            # The predicate of ix_campaign_leads_amounts: only rows with an amount are read.
            text(f"({AMOUNTS_GIVEN})"),  # bracketed: it holds an OR
        )
    ).one()
    contacted = sum(s.link.contacted_leads for s in stats)
    successful = sum(s.link.successful_leads for s in stats)
    return Totals(
        leads=sum(s.link.total_leads for s in stats),
        contacted=contacted,
        successful=successful,
        pledged=Decimal(pledged or 0),
        donated=Decimal(donated or 0),
        conversion_rate=conversion_rate(successful, contacted),
    )


def performance_by_list(session: Session, workspace_id: uuid.UUID) -> list:
    """Every campaign's lists (not archived campaigns): campaign, list, counters, rate."""
    rows = session.execute(
        select(
            Campaign.id.label("campaign_id"),
            Campaign.name.label("campaign"),
            LeadList.id.label("list_id"),
            LeadList.name.label("list"),
            CampaignLeadList.priority,
            CampaignLeadList.total_leads,
            CampaignLeadList.contacted_leads,
            CampaignLeadList.successful_leads,
        )
        .join(Campaign, Campaign.id == CampaignLeadList.campaign_id)
        .join(LeadList, LeadList.id == CampaignLeadList.lead_list_id)
        .where(Campaign.workspace_id == workspace_id, Campaign.is_archived.is_(False))
        .order_by(Campaign.name, CampaignLeadList.priority)
    ).all()
    return [
        {**row._asdict(), "rate": conversion_rate(row.successful_leads, row.contacted_leads)}
        for row in rows
    ]


def list_reusability(session: Session, workspace_id: uuid.UUID) -> list:
    """Lists used by campaigns: in how many, and their conversions in all of them."""
    return session.execute(
        select(
            LeadList.id,
            LeadList.name,
            func.count(distinct(CampaignLeadList.campaign_id)).label("campaigns_used_in"),
            func.coalesce(func.sum(CampaignLeadList.successful_leads), 0).label(
                "total_conversions"
            ),
        )
        .join(CampaignLeadList, CampaignLeadList.lead_list_id == LeadList.id)
        .where(LeadList.workspace_id == workspace_id)
        .group_by(LeadList.id, LeadList.name)
        .order_by(func.count(distinct(CampaignLeadList.campaign_id)).desc(), LeadList.name)
    ).all()


def lead_quality(session: Session, workspace_id: uuid.UUID) -> list:
    """Leads by intent (the seed's quality rating): count and average score, hot first."""
    found = {
        row.intent: row
        for row in session.execute(
            select(
                Lead.intent,
                func.count().label("count"),
                func.avg(Lead.lead_score).label("avg_score"),
            )
            .where(Lead.workspace_id == workspace_id)
            .group_by(Lead.intent)
        )
    }
    return [
        {
            "intent": intent,
            "count": found[intent].count if intent in found else 0,
            "avg_score": (
                Decimal(str(found[intent].avg_score)).quantize(Decimal("0.1"))
                if intent in found and found[intent].avg_score is not None
                else None
            ),
        }
        for intent in INTENTS
    ]


def bar(value, largest) -> int:
    """A bar's length in percent of the largest value (0-100) for the SVG charts."""
    try:
        value, largest = float(value or 0), float(largest or 0)
    except (TypeError, ValueError):
        return 0
    return 0 if largest <= 0 else max(0, min(100, round(value * 100 / largest)))
