"""Lead lists: what bulk "add to a list" needs, and the Lists page's overview."""

from __future__ import annotations

import uuid

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from webapp.models import LeadList, LeadListMember
from webapp.services.errors import NUL_REASON, NotFound, ValidationFailed, has_nul


def workspace_lists(session: Session, workspace_id: uuid.UUID) -> list[LeadList]:
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


def lists_overview(session: Session, workspace_id: uuid.UUID) -> list[Row]:
    """The workspace's lists, newest first: id, name, lead_count and created_at.

    The count is of the members now: the stored lead_count is not kept up when a
    member lead is deleted or merged away.
    """
    members = (
        select(func.count())
        .where(LeadListMember.lead_list_id == LeadList.id)
        .correlate(LeadList)
        .scalar_subquery()
    )
    return list(
        session.execute(
            select(LeadList.id, LeadList.name, members.label("lead_count"), LeadList.created_at)
            .where(LeadList.workspace_id == workspace_id, LeadList.is_archived.is_(False))
            .order_by(LeadList.created_at.desc(), LeadList.id.desc())
        )
    )


def find_or_create_list(
    session: Session, workspace_id: uuid.UUID, list_id=None, new_name=None, created_by_id=None
) -> LeadList:
    if new_name and new_name.strip():
        name = new_name.strip()
        if len(name) > 255:
            raise ValidationFailed({"list_name": "must be at most 255 characters"})
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
            )
            session.add(found)
            session.flush()
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
    """Add leads that are not members yet; keeps lead_count right. Returns those that joined."""
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
