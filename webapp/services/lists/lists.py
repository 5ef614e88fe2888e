"""Lead lists: making, changing, archiving and deleting them, and the Lists page's overview.

A list is static (explicit members, services/lists/members.py) or dynamic (saved My
Leads criteria, its members computed when read: services/lists/membership.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from webapp.models import Campaign, CampaignLeadList, LeadList, LeadListMember, User
from webapp.services.errors import NUL_REASON, NotFound, ValidationFailed, has_nul
from webapp.services.leads.filters import LeadFilter, _like_pattern
from webapp.services.leads.input import clean_tag_names
from webapp.services.lists.membership import member_ids

NAME_MAX = 255
DESCRIPTION_MAX = 2000


def workspace_lists(session: Session, workspace_id: uuid.UUID) -> list[LeadList]:
    """The lists leads can be added to: static and not archived, by name."""
    return list(
        session.execute(
            select(LeadList)
            .where(
                LeadList.workspace_id == workspace_id,
                LeadList.list_type == "static",
                LeadList.is_archived.is_(False),
            )
            .order_by(LeadList.name)
        ).scalars()
    )


def filter_lists(session: Session, workspace_id: uuid.UUID) -> list[Row]:
    """Every list My Leads can filter by (id, name, list_type), by name; archived too."""
    return list(
        session.execute(
            select(LeadList.id, LeadList.name, LeadList.list_type, LeadList.is_archived)
            .where(LeadList.workspace_id == workspace_id)
            .order_by(LeadList.is_archived, LeadList.name)
        )
    )


@dataclass(frozen=True)
class ListSummary:
    """One row of the Lists page."""

    id: uuid.UUID
    name: str
    description: str | None
    list_type: str
    member_count: int
    campaign_count: int
    tags: list[str]
    is_archived: bool
    created_by: str | None
    created_at: datetime


def lists_overview(
    session: Session, workspace_id: uuid.UUID, q: str = "", archived: bool = False
) -> list[ListSummary]:
    """The workspace's lists (archived ones, or the others), newest first.

    Counts are exact: a static list's members now (the stored lead_count is not kept
    up when a member lead is deleted or merged away), a dynamic list's matches now.
    """
    members = (
        select(func.count())
        .where(LeadListMember.lead_list_id == LeadList.id)
        .correlate(LeadList)
        .scalar_subquery()
    )
    campaigns = (
        select(func.count())
        .where(CampaignLeadList.lead_list_id == LeadList.id)
        .correlate(LeadList)
        .scalar_subquery()
    )
    query = (
        select(LeadList, members, campaigns, func.coalesce(User.name, User.email))
        .outerjoin(User, User.id == LeadList.created_by_id)
        .where(LeadList.workspace_id == workspace_id, LeadList.is_archived.is_(archived))
        .order_by(LeadList.created_at.desc(), LeadList.id.desc())
    )
    typed = (q or "").replace("\x00", "").strip()[:200]
    if typed:
        pattern = _like_pattern(typed)
        query = query.where(
            or_(
                func.lower(LeadList.name).like(pattern, escape="\\"),
                func.lower(func.coalesce(LeadList.description, "")).like(pattern, escape="\\"),
            )
        )
    rows = []
    for lead_list, static_count, campaign_count, creator in session.execute(query):
        rows.append(
            ListSummary(
                id=lead_list.id,
                name=lead_list.name,
                description=lead_list.description,
                list_type=lead_list.list_type,
                member_count=count_members(session, lead_list)
                if lead_list.list_type == "dynamic"
                else static_count,
                campaign_count=campaign_count,
                tags=list(lead_list.tags or []),
                is_archived=lead_list.is_archived,
                created_by=creator,
                created_at=lead_list.created_at,
            )
        )
    return rows


def count_members(session: Session, lead_list: LeadList, timezone: str = "UTC") -> int:
    """The exact number of members now (computed for a dynamic list)."""
    return session.execute(
        select(func.count()).select_from(member_ids(lead_list, timezone).subquery())
    ).scalar_one()


def list_campaigns(session: Session, lead_list: LeadList) -> list[Row]:
    """The campaigns the list feeds: (Campaign, CampaignLeadList), by priority then name."""
    return list(
        session.execute(
            select(Campaign, CampaignLeadList)
            .join(CampaignLeadList, CampaignLeadList.campaign_id == Campaign.id)
            .where(
                CampaignLeadList.lead_list_id == lead_list.id,
                Campaign.workspace_id == lead_list.workspace_id,
            )
            .order_by(Campaign.name)
        )
    )


def _clean_name(session: Session, workspace_id, name, field: str = "name", exclude=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({field: "give the list a name"})
    if len(name) > NAME_MAX:
        raise ValidationFailed({field: f"must be at most {NAME_MAX} characters"})
    if has_nul(name):
        raise ValidationFailed({field: NUL_REASON})
    taken = select(LeadList.id).where(LeadList.workspace_id == workspace_id, LeadList.name == name)
    if exclude is not None:
        taken = taken.where(LeadList.id != exclude)
    if session.execute(taken).first():
        raise ValidationFailed({field: "another list already has this name"})
    return name


def _clean_description(description) -> str | None:
    description = (description or "").strip() or None
    if description and len(description) > DESCRIPTION_MAX:
        raise ValidationFailed({"description": f"must be at most {DESCRIPTION_MAX:,} characters"})
    if has_nul(description):
        raise ValidationFailed({"description": NUL_REASON})
    return description


def _clean_tags(tags) -> list[str]:
    try:
        return clean_tag_names(tags or "")
    except ValidationFailed as exc:
        raise ValidationFailed({"tags": next(iter(exc.errors.values()))}) from None


def create_list(
    session: Session,
    workspace_id: uuid.UUID,
    name: str,
    description: str | None = None,
    tags=None,
    created_by_id: uuid.UUID | None = None,
    criteria: dict | None = None,
) -> LeadList:
    """A new list: dynamic when `criteria` (a My Leads filter's criteria) is given."""
    lead_list = LeadList(
        workspace_id=workspace_id,
        name=_clean_name(session, workspace_id, name),
        description=_clean_description(description),
        tags=_clean_tags(tags),
        list_type="dynamic" if criteria is not None else "static",
        criteria=criteria,
        created_by_id=created_by_id,
        lead_count=0,
    )
    session.add(lead_list)
    session.flush()
    if criteria is not None:
        lead_list.lead_count = count_members(session, lead_list)
    return lead_list


def save_view_as_list(
    session: Session,
    workspace_id: uuid.UUID,
    lead_filter: LeadFilter,
    name: str,
    created_by_id: uuid.UUID,
    description: str | None = None,
) -> LeadList:
    """A dynamic list of My Leads' current filter ("me" stays the saver's leads)."""
    return create_list(
        session,
        workspace_id,
        name,
        description,
        created_by_id=created_by_id,
        criteria=lead_filter.criteria(),
    )


def update_list(
    session: Session, lead_list: LeadList, name=None, description=None, tags=None
) -> list[str]:
    """Rename, describe, tag (None leaves a field as it is); returns the fields changed."""
    changed = []
    if name is not None:
        new_name = _clean_name(session, lead_list.workspace_id, name, exclude=lead_list.id)
        if new_name != lead_list.name:
            lead_list.name = new_name
            changed.append("name")
    if description is not None:
        new_description = _clean_description(description)
        if new_description != lead_list.description:
            lead_list.description = new_description
            changed.append("description")
    if tags is not None:
        new_tags = _clean_tags(tags)
        if new_tags != list(lead_list.tags or []):
            lead_list.tags = new_tags
            changed.append("tags")
    return changed


def set_archived(lead_list: LeadList, archived: bool) -> bool:
    """Archive or bring back; returns whether anything changed."""
    if lead_list.is_archived == archived:
        return False
    lead_list.is_archived = archived
    return True


def delete_list(session: Session, lead_list: LeadList) -> None:
    """The list, its members and its campaign links go; the leads stay."""
    session.delete(lead_list)
    session.flush()


def freeze_list(
    session: Session,
    lead_list: LeadList,
    created_by_id: uuid.UUID,
    name: str | None = None,
    timezone: str = "UTC",
) -> LeadList:
    """A static copy of a dynamic list's members as they are now."""
    from webapp.services.lists.members import add_members

    if lead_list.list_type != "dynamic":
        raise ValidationFailed({"list_id": "only a dynamic list can be frozen"})
    frozen = create_list(
        session,
        lead_list.workspace_id,
        name or f"{lead_list.name[:200]} (frozen)",
        lead_list.description,
        tags=lead_list.tags,
        created_by_id=created_by_id,
    )
    frozen.meta = {"frozen_from": str(lead_list.id)}
    add_members(session, frozen, member_ids(lead_list, timezone), created_by_id)
    return frozen


def find_or_create_list(
    session: Session, workspace_id: uuid.UUID, list_id=None, new_name=None, created_by_id=None
) -> LeadList:
    if new_name and new_name.strip():
        name = new_name.strip()
        if len(name) > NAME_MAX:
            raise ValidationFailed({"list_name": f"must be at most {NAME_MAX} characters"})
        if has_nul(name):
            raise ValidationFailed({"list_name": NUL_REASON})
        found = session.execute(
            select(LeadList).where(LeadList.workspace_id == workspace_id, LeadList.name == name)
        ).scalar()
        if found is None:
            found = LeadList(
                workspace_id=workspace_id,
                name=name,
                list_type="static",
                created_by_id=created_by_id,
                lead_count=0,
            )
            session.add(found)
            session.flush()
        elif found.list_type != "static":
            raise ValidationFailed({"list_name": "that is a dynamic list: name another"})
        return found
    try:
        wanted = uuid.UUID(str(list_id))
    except ValueError:
        raise ValidationFailed({"list_id": "choose a list or name a new one"}) from None
    found = session.execute(
        select(LeadList).where(LeadList.id == wanted, LeadList.workspace_id == workspace_id)
    ).scalar()
    if found is None:
        raise NotFound("list")
    if found.list_type != "static":
        raise ValidationFailed({"list_id": "leads can only be added to static lists"})
    return found


def add_leads_to_list(
    session: Session, lead_list: LeadList, lead_ids, added_by_id=None
) -> list[uuid.UUID]:
    """Add leads that are not members yet; keeps lead_count right. Returns those that joined.

    For callers that want the ids back (at most a few thousand); larger sets and
    selects go to services.lists.members.add_members, which also writes the timeline.
    """
    lead_ids = list(dict.fromkeys(lead_ids))
    existing = set()
    for start in range(0, len(lead_ids), 1000):
        chunk = lead_ids[start : start + 1000]
        existing |= set(
            session.execute(
                select(LeadListMember.lead_id).where(
                    LeadListMember.lead_list_id == lead_list.id, LeadListMember.lead_id.in_(chunk)
                )
            ).scalars()
        )
    added = [i for i in lead_ids if i not in existing]
    session.add_all(
        LeadListMember(lead_list_id=lead_list.id, lead_id=i, added_by_id=added_by_id) for i in added
    )
    session.flush()
    lead_list.lead_count = session.execute(
        select(func.count())
        .select_from(LeadListMember)
        .where(LeadListMember.lead_list_id == lead_list.id)
    ).scalar_one()
    return added
