"""One page of a list's members for the list page: exact count, rows, who added them.

The members are filtered by the one filter model (My Leads' LeadFilter with the list
as its `list`), so search, status, intent and owner mean what they mean on My Leads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from webapp.models import Lead, LeadList, LeadListMember, User
from webapp.models.leads import name_shown
from webapp.services.leads.filters import LeadFilter, filter_conditions, sort_order
from webapp.services.leads.my_leads import NAME_FALLBACKS, ROW_COLUMNS
from webapp.services.paging import last_page

OWNER = aliased(User, name="owner")
ADDER = aliased(User, name="adder")
MEMBER_SORTS = ("added",)  # sorts of the list page beyond My Leads' own


@dataclass(frozen=True)
class MemberRow:
    id: uuid.UUID
    display_name: str
    company_name: str | None
    email: str | None
    status: str
    intent: str
    lead_score: int | None
    owner_name: str | None
    created_at: datetime
    added_at: datetime | None
    added_by: str | None
    note: str | None


@dataclass(frozen=True)
class MemberPage:
    rows: list[MemberRow]
    total: int  # exact
    last_page: int


def member_filter(args, lead_list: LeadList) -> LeadFilter:
    """The list page's filter: My Leads' from the URL (any owner unless said), this list."""
    lead_filter = LeadFilter.from_args(args, default_owner=None)
    lead_filter.list_id = str(lead_list.id)
    if args.get("sort") in MEMBER_SORTS and lead_list.list_type == "static":
        lead_filter.sort = args.get("sort")
    return lead_filter


def member_conditions(
    lead_filter: LeadFilter, lead_list: LeadList, user_id, timezone: str = "UTC"
) -> list:
    lead_filter.list_id = str(lead_list.id)
    return filter_conditions(lead_filter, lead_list.workspace_id, user_id, timezone)


def selected_ids(
    lead_list: LeadList, lead_filter: LeadFilter, user_id, timezone: str, ids=None
) -> Select:
    """The members a bulk action on the list page covers: `ids`, or all matching."""
    query = select(Lead.id).where(*member_conditions(lead_filter, lead_list, user_id, timezone))
    if ids is not None:
        query = query.where(Lead.id.in_(ids))
    return query


def _order(lead_filter: LeadFilter):
    if lead_filter.sort == "added":
        column = LeadListMember.added_at
        if lead_filter.direction == "asc":
            return column.asc(), Lead.id.asc()
        return column.desc(), Lead.id.desc()
    return sort_order(lead_filter, OWNER)


def page_of_members(
    session: Session, lead_list: LeadList, lead_filter: LeadFilter, user_id, timezone="UTC"
) -> MemberPage:
    """The filter's page of members; `lead_filter.page` moves back to the last page if beyond."""
    conditions = member_conditions(lead_filter, lead_list, user_id, timezone)
    total = session.execute(
        select(func.count()).select_from(select(Lead.id).where(*conditions).subquery())
    ).scalar_one()
    last = last_page(total, lead_filter.per_page)
    lead_filter.page = min(lead_filter.page, last)
    query = (
        select(
            *ROW_COLUMNS,
            func.coalesce(func.nullif(OWNER.name, ""), OWNER.email),
            Lead.created_at,
            LeadListMember.added_at,
            func.coalesce(func.nullif(ADDER.name, ""), ADDER.email),
            LeadListMember.notes,
            *NAME_FALLBACKS,
        )
        .outerjoin(OWNER, OWNER.id == Lead.assigned_to_id)
        .outerjoin(
            LeadListMember,
            and_(LeadListMember.lead_id == Lead.id, LeadListMember.lead_list_id == lead_list.id),
        )
        .outerjoin(ADDER, ADDER.id == LeadListMember.added_by_id)
        .where(*conditions)
        .order_by(*_order(lead_filter))
        .limit(lead_filter.per_page)
        .offset((lead_filter.page - 1) * lead_filter.per_page)
    )
    rows = []
    for values in session.execute(query):
        (lead_id, full, first, last_name, email, company, status, intent, score) = values[:9]
        owner, created_at, added_at, added_by, note = values[9:14]
        rows.append(
            MemberRow(
                id=lead_id,
                display_name=name_shown(full, first, last_name, company, email, *values[14:]),
                company_name=company,
                email=email,
                status=status,
                intent=intent,
                lead_score=score,
                owner_name=owner,
                created_at=created_at,
                added_at=added_at,
                added_by=added_by,
                note=note,
            )
        )
    return MemberPage(rows, total, last)
