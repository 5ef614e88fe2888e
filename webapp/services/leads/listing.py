"""Reading leads page by page for API clients: by page number or by cursor.

The filter is My Leads' filter model (filters.LeadFilter); a page number uses OFFSET,
a cursor (keyset.py) reads on from the last row seen, at any depth at the cost of the
first page. Either way the answer says where the next page starts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity, User
from webapp.services.leads.filters import (
    LeadFilter,
    filter_conditions,
    plan_for_values,
    sort_order,
)
from webapp.services.leads.keyset import (
    Cursor,
    after_condition,
    decode_cursor,
    encode_cursor,
    sort_column,
)

DETAIL_ACTIVITY_LIMIT = 200


@dataclass(frozen=True)
class LeadSlice:
    leads: list[Lead]
    total: int  # every lead the filter matches, not only those after the cursor
    next_cursor: str | None  # None on the last page


def list_leads(
    session: Session,
    workspace_id: uuid.UUID,
    lead_filter: LeadFilter,
    cursor: str | None = None,
) -> LeadSlice:
    """One page of the filter's leads in its sort order (id breaks ties).

    With `cursor` (a next_cursor given out before) the page starts after that row and
    lead_filter.page is not used. ValidationFailed names `cursor` when it is not one.
    """
    if lead_filter.q:
        plan_for_values(session)
    conditions = filter_conditions(lead_filter, workspace_id, None)
    total = session.execute(select(func.count()).select_from(Lead).where(*conditions)).scalar()
    column = sort_column(lead_filter)
    query = select(Lead, column.label("sort_value")).where(*conditions)
    if cursor:
        query = query.where(after_condition(lead_filter, decode_cursor(cursor, lead_filter)))
    else:
        query = query.offset((lead_filter.page - 1) * lead_filter.per_page)
    size = lead_filter.per_page
    rows = session.execute(query.order_by(*sort_order(lead_filter, User)).limit(size + 1)).all()
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = encode_cursor(
            Cursor(lead_filter.sort, lead_filter.direction, last.sort_value, last.Lead.id)
        )
    return LeadSlice([row.Lead for row in rows[:size]], int(total or 0), next_cursor)


def recent_activities(session: Session, lead: Lead) -> tuple[list[LeadActivity], int]:
    """The lead's latest DETAIL_ACTIVITY_LIMIT activities, newest first, and how many in all."""
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
