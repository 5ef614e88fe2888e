"""One page of My Leads: the capped total and the rows, from one filter.

The rows are plain tuples, not Lead objects: one statement brings the columns the
table shows, the owner's name and the tag names. Loading ORM objects (and a second
query for their tags) cost more than the SQL itself.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from webapp.models import Lead, Tag, User, lead_tags
from webapp.models.leads import name_shown
from webapp.services.lead_filters import (
    LeadFilter,
    filter_conditions,
    plan_for_values,
    sort_order,
)

# Counting every match of a broad search costs more than showing the page, so totals
# stop at COUNT_CAP ("more than 1,000") and paging goes on up to MAX_ROWS.
COUNT_CAP = 1_000
MAX_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class LeadRow:
    """What one row of the table shows."""

    id: uuid.UUID
    display_name: str
    company_name: str | None
    email: str | None
    status: str
    intent: str
    lead_score: int | None
    owner_name: str | None
    source: str
    tags: tuple[str, ...]
    created_at: datetime
    is_converted: bool


@dataclass(frozen=True)
class LeadPage:
    leads: list[LeadRow]
    total: int  # capped at COUNT_CAP
    capped: bool
    has_next: bool


def _tag_names(dialect: str):
    """The lead's tag names in name order, as one column (a list, or JSON text on SQLite)."""
    names = (
        select(Tag.name)
        .join(lead_tags, lead_tags.c.tag_id == Tag.id)
        .where(lead_tags.c.lead_id == Lead.id)
    )
    if dialect == "postgresql":
        aggregated = func.array_agg(aggregate_order_by(Tag.name, Tag.name))
        return names.with_only_columns(aggregated).scalar_subquery()
    # SQLite's binary collation is code point order, which sorted() keeps (in _row).
    return names.with_only_columns(func.json_group_array(Tag.name)).scalar_subquery()


OWNER = aliased(User, name="owner")


@cache  # the same columns on every page: built once, filtered and sorted per request
def _rows_select(dialect: str) -> Select:
    return select(
        Lead.id,
        Lead.full_name,
        Lead.first_name,
        Lead.last_name,
        Lead.email,
        Lead.company_name,
        Lead.status,
        Lead.intent,
        Lead.lead_score,
        OWNER.name,
        OWNER.email,
        Lead.source,
        _tag_names(dialect).label("tag_names"),
        Lead.created_at,
        Lead.converted_at,
    ).outerjoin(OWNER, OWNER.id == Lead.assigned_to_id)


def page_statements(
    conditions: list, lead_filter: LeadFilter, dialect: str
) -> tuple[Select, Select]:
    """The capped count, and the sorted rows (limit and offset still to add), of the leads
    meeting `conditions` (lead_filters.filter_conditions)."""
    matching = select(Lead.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    count = select(func.count()).select_from(matching)
    rows = _rows_select(dialect).where(*conditions).order_by(*sort_order(lead_filter, OWNER.name))
    return count, rows


def _row(values) -> LeadRow:
    (lead_id, full, first, last, email, company, status, intent, score) = values[:9]
    owner_name, owner_email, source, tags, created_at, converted_at = values[9:]
    if isinstance(tags, str):  # SQLite's JSON array
        tags = sorted(json.loads(tags))
    return LeadRow(
        id=lead_id,
        display_name=name_shown(full, first, last, company, email),
        company_name=company,
        email=email,
        status=status,
        intent=intent,
        lead_score=score,
        owner_name=owner_name or owner_email,
        source=source,
        tags=tuple(tags or ()),
        created_at=created_at,
        is_converted=converted_at is not None,
    )


def page_of_leads(
    session: Session,
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    timezone: str = "UTC",
) -> LeadPage:
    """The filter's page; `lead_filter.page` is moved back to the last page if beyond it."""
    plan_for_values(session)
    conditions = filter_conditions(lead_filter, workspace_id, user_id, timezone)
    count, rows = page_statements(conditions, lead_filter, session.get_bind().dialect.name)
    found = session.execute(count).scalar_one()
    total, capped = min(found, COUNT_CAP), found > COUNT_CAP
    reachable = MAX_ROWS if capped else max(total, 1)
    last_page = max((reachable + lead_filter.per_page - 1) // lead_filter.per_page, 1)
    lead_filter.page = min(lead_filter.page, last_page)
    offset = (lead_filter.page - 1) * lead_filter.per_page
    fetched = session.execute(rows.limit(lead_filter.per_page + 1).offset(offset)).all()
    has_next = len(fetched) > lead_filter.per_page and lead_filter.page < last_page
    return LeadPage([_row(r) for r in fetched[: lead_filter.per_page]], total, capped, has_next)
