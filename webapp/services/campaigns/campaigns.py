"""Campaigns themselves: their fields, the campaigns page's rows, archive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from webapp.models import Campaign, CampaignLeadList
from webapp.models.campaigns import CAMPAIGN_STATUSES
from webapp.services.campaigns.assignment import apply_max_attempts, clean_max_attempts
from webapp.services.days import day_start, parse_day
from webapp.services.errors import NUL_REASON, ValidationFailed, has_nul

# Campaigns whose lists the nightly job re-syncs.
RESYNCED_STATUSES = ("draft", "active", "paused")
NAME_MAX = 255
DESCRIPTION_MAX = 5000
DEFAULT_MAX_ATTEMPTS = 3


@dataclass
class CampaignFields:
    name: str
    description: str | None
    status: str
    starts_at: datetime | None
    ends_at: datetime | None
    max_attempts: int


def clean_campaign_fields(form: dict, timezone: str = "UTC") -> CampaignFields:
    """The campaign form (or API body) checked; ValidationFailed names each bad field."""
    errors: dict[str, str] = {}
    name = str(form.get("name") or "").strip()
    if not name:
        errors["name"] = "is required"
    elif len(name) > NAME_MAX:
        errors["name"] = f"must be at most {NAME_MAX} characters"
    description = str(form.get("description") or "").strip() or None
    if description and len(description) > DESCRIPTION_MAX:
        errors["description"] = f"must be at most {DESCRIPTION_MAX} characters"
    for field, value in (("name", name), ("description", description)):
        if has_nul(value):
            errors[field] = NUL_REASON
    status = str(form.get("status") or "draft").strip()
    if status not in CAMPAIGN_STATUSES:
        errors["status"] = f"must be one of {', '.join(CAMPAIGN_STATUSES)}"
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    days = {}
    for field in ("starts_at", "ends_at"):
        raw = str(form.get(field) or "").strip()
        day = parse_day(raw) if raw else None
        if raw and day is None:
            errors[field] = "must be a date (YYYY-MM-DD)"
        days[field] = day_start(day, zone) if day else None
    if days["starts_at"] and days["ends_at"] and days["ends_at"] < days["starts_at"]:
        errors["ends_at"] = "must not be before the start date"
    max_attempts = DEFAULT_MAX_ATTEMPTS
    try:
        max_attempts = clean_max_attempts(form.get("max_attempts")) or DEFAULT_MAX_ATTEMPTS
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return CampaignFields(
        name, description, status, days["starts_at"], days["ends_at"], max_attempts
    )


def _check_name_free(session: Session, workspace_id, name: str, own_id=None) -> None:
    query = select(Campaign.id).where(Campaign.workspace_id == workspace_id, Campaign.name == name)
    if own_id is not None:
        query = query.where(Campaign.id != own_id)
    if session.execute(query).first() is not None:
        raise ValidationFailed({"name": "another campaign has this name"})


def create_campaign(
    session: Session, workspace_id: uuid.UUID, fields: CampaignFields, created_by_id=None
) -> Campaign:
    _check_name_free(session, workspace_id, fields.name)
    campaign = Campaign(workspace_id=workspace_id, created_by_id=created_by_id, **vars(fields))
    session.add(campaign)
    session.flush()
    return campaign


def update_campaign(session: Session, campaign: Campaign, fields: CampaignFields) -> Campaign:
    _check_name_free(session, campaign.workspace_id, fields.name, campaign.id)
    limit_changed = fields.max_attempts != campaign.max_attempts
    for key, value in vars(fields).items():
        setattr(campaign, key, value)
    session.flush()
    if limit_changed:
        apply_max_attempts(session, campaign)
    return campaign


def set_archived(session: Session, campaign: Campaign, archived: bool) -> None:
    campaign.is_archived = archived
    session.flush()


def campaigns_overview(
    session: Session, workspace_id: uuid.UUID, archived: bool = False
) -> list[Row]:
    """The campaigns page: each campaign with its lists and leads counted from the links."""
    stats = (
        select(
            CampaignLeadList.campaign_id,
            func.count().label("lists"),
            func.sum(CampaignLeadList.total_leads).label("total"),
            func.sum(CampaignLeadList.contacted_leads).label("contacted"),
            func.sum(CampaignLeadList.successful_leads).label("successful"),
        )
        .group_by(CampaignLeadList.campaign_id)
        .subquery()
    )
    return list(
        session.execute(
            select(
                Campaign,
                func.coalesce(stats.c.lists, 0).label("lists"),
                func.coalesce(stats.c.total, 0).label("total"),
                func.coalesce(stats.c.contacted, 0).label("contacted"),
                func.coalesce(stats.c.successful, 0).label("successful"),
            )
            .outerjoin(stats, stats.c.campaign_id == Campaign.id)
            .where(Campaign.workspace_id == workspace_id, Campaign.is_archived.is_(archived))
            .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        )
    )
