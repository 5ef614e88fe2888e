"""One page of My Leads: the capped total and the rows, from one filter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Lead
from webapp.services.lead_filters import ROW_LOADING, LeadFilter, apply_sort, matching_leads

# Counting every match of a broad search costs more than showing the page, so totals
# stop at COUNT_CAP ("more than 1,000") and paging goes on up to MAX_ROWS.
COUNT_CAP = 1_000
MAX_ROWS = 10_000


@dataclass(frozen=True)
class LeadPage:
    leads: list[Lead]
    total: int  # capped at COUNT_CAP
    capped: bool
    has_next: bool


def count_capped(session: Session, matching_ids: Select) -> tuple[int, bool]:
    sub = matching_ids.limit(COUNT_CAP + 1).subquery()
    found = session.execute(select(func.count()).select_from(sub)).scalar_one()
    return min(found, COUNT_CAP), found > COUNT_CAP


def page_of_leads(
    session: Session,
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    timezone: str = "UTC",
) -> LeadPage:
    """The filter's page; `lead_filter.page` is moved back to the last page if beyond it."""
    # Built once, for the count and the page.
    matching_ids = matching_leads(session, (Lead.id,), lead_filter, workspace_id, user_id, timezone)
    total, capped = count_capped(session, matching_ids)
    reachable = MAX_ROWS if capped else max(total, 1)
    last_page = max((reachable + lead_filter.per_page - 1) // lead_filter.per_page, 1)
    lead_filter.page = min(lead_filter.page, last_page)
    query = apply_sort(matching_ids.with_only_columns(Lead), lead_filter)
    query = query.options(*ROW_LOADING, selectinload(Lead.tags))
    offset = (lead_filter.page - 1) * lead_filter.per_page
    rows = session.execute(query.limit(lead_filter.per_page + 1).offset(offset)).unique()
    leads = list(rows.scalars())
    has_next = len(leads) > lead_filter.per_page and lead_filter.page < last_page
    return LeadPage(leads[: lead_filter.per_page], total, capped, has_next)
