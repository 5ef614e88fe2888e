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

from sqlalchemy import Select, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from webapp.models import Lead, Membership, Tag, User, lead_tags
from webapp.models.leads import NAMED_BY, name_shown
from webapp.services.leads.filters import (
    LeadFilter,
    filter_conditions,
    owner_shown,
    plan_for_values,
    sort_order,
)
from webapp.services.paging import last_page

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
# A row of leads (here and a list's members) starts with ROW_COLUMNS, read back as
# (id, full, first, last, email, company, status, intent, score), and ends with
# NAME_FALLBACKS: the rest of what names a lead without a name, in NAMED_BY's order.
ROW_COLUMNS = (
    Lead.id,
    Lead.full_name,
    Lead.first_name,
    Lead.last_name,
    Lead.email,
    Lead.company_name,
    Lead.status,
    Lead.intent,
    Lead.lead_score,
)
NAME_FALLBACKS = tuple(getattr(Lead, field) for field in NAMED_BY[2:])


@cache  # the same columns on every page: built once, filtered and sorted per request
def _rows_select(dialect: str) -> Select:
    return select(
        *ROW_COLUMNS,
        OWNER.name,
        OWNER.email,
        Lead.source,
        _tag_names(dialect).label("tag_names"),
        Lead.created_at,
        Lead.converted_at,
        *NAME_FALLBACKS,
    ).outerjoin(OWNER, OWNER.id == Lead.assigned_to_id)


def count_statement(conditions: list) -> Select:
    """How many leads meet `conditions` (lead_filters.filter_conditions), up to COUNT_CAP + 1."""
    matching = select(Lead.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(matching)


def rows_statement(
    session: Session,
    workspace_id: uuid.UUID,
    conditions: list,
    lead_filter: LeadFilter,
    limit: int,
    offset: int,
) -> Select:
    """The page's rows, sorted, of the workspace's leads meeting `conditions`."""
    dialect = session.get_bind().dialect.name
    # SQLite has no LATERAL, and sorts its (small) tables well enough as they are.
    if lead_filter.sort == "owner" and dialect == "postgresql":
        return owner_sorted_rows(workspace_id, conditions, lead_filter, limit, offset)
    order = sort_order(lead_filter, OWNER)
    if lead_filter.sort == "owner":  # SQLite's: ordered by the joined owner's name
        return _rows_select(dialect).where(*conditions).order_by(*order).limit(limit).offset(offset)
    # The page's ids first, then their columns and tags: the rows an offset skips are
    # neither read whole nor tagged (page 40 read and tagged a thousand).
    page = select(Lead.id).where(*conditions).order_by(*order).limit(limit).offset(offset)
    ids = page.subquery("page")
    return _rows_select(dialect).join(ids, ids.c.id == Lead.id).order_by(*order)


def ranked_owners(workspace_id: uuid.UUID, going_up: bool):
    """Everyone who can own the workspace's leads, ranked 1, 2, … as the owner sort shows them.

    Members past and present: a lead is only ever assigned to a member, and a
    membership is deactivated, never deleted, when someone leaves.
    """
    shown = owner_shown(User)
    order = (shown.asc(), User.id.asc()) if going_up else (shown.desc(), User.id.desc())
    return (
        select(User.id.label("owner_id"), func.row_number().over(order_by=order).label("rank"))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
        .subquery("ranked_owners")
    )


def owner_sorted_rows(
    workspace_id: uuid.UUID, conditions: list, lead_filter: LeadFilter, limit: int, offset: int
) -> Select:
    """The owner sort on PostgreSQL, without sorting every lead (a million take a second).

    Each owner's leads come newest first off the (workspace, owner, created) index, at
    most `offset + limit` of each, owner after owner in ranked_owners' order; then the
    unassigned (last going up, first going down). Only those few rows are sorted.
    """
    window = offset + limit
    newest = (Lead.created_at.desc(), Lead.id.desc())
    going_up = lead_filter.direction == "asc"
    ranked = ranked_owners(workspace_id, going_up)
    per_owner = (
        select(Lead.id, Lead.created_at)
        .where(*conditions, Lead.assigned_to_id == ranked.c.owner_id)
        .order_by(*newest)
        .limit(window)
        .lateral("per_owner")
    )
    owned = select(ranked.c.rank, per_owner.c.id, per_owner.c.created_at).select_from(
        ranked.join(per_owner, true())
    )
    unassigned = (
        # Ranks start at 1, so 0 comes first and a bigint's maximum last.
        select(literal(2**63 - 1 if going_up else 0).label("rank"), Lead.id, Lead.created_at)
        .where(*conditions, Lead.assigned_to_id.is_(None))
        .order_by(*newest)
        .limit(window)
    )
    ranked_leads = union_all(owned, unassigned).subquery("ranked_leads")
    order = (ranked_leads.c.rank, ranked_leads.c.created_at.desc(), ranked_leads.c.id.desc())
    page = select(ranked_leads).order_by(*order).limit(limit).offset(offset).subquery("page")
    return (
        _rows_select("postgresql")
        .join(page, page.c.id == Lead.id)
        .order_by(page.c.rank, page.c.created_at.desc(), page.c.id.desc())
    )


def _row(values) -> LeadRow:
    (lead_id, full, first, last, email, company, status, intent, score) = values[:9]
    owner_name, owner_email, source, tags, created_at, converted_at = values[9:15]
    if isinstance(tags, str):  # SQLite's JSON array
        tags = sorted(json.loads(tags))
    return LeadRow(
        id=lead_id,
        display_name=name_shown(full, first, last, company, email, *values[15:]),
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


def go_back_to_last_page(lead_filter: LeadFilter, found: int) -> int:
    """Move `lead_filter.page` back to the last page if beyond it; returns the last page.

    `found` is count_statement's answer: past COUNT_CAP, pages go on up to MAX_ROWS.
    """
    last = last_page(MAX_ROWS if found > COUNT_CAP else found, lead_filter.per_page)
    lead_filter.page = min(lead_filter.page, last)
    return last


def page_of_leads(
    session: Session,
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    timezone: str = "UTC",
) -> LeadPage:
    """The filter's page; `lead_filter.page` is moved back to the last page if beyond it."""
    plan_for_values(session)
    # Plain rows: the session's ORM layer would only add time on the way to them.
    connection = session.connection()
    conditions = filter_conditions(lead_filter, workspace_id, user_id, timezone)
    found = connection.execute(count_statement(conditions)).scalar_one()
    total, capped = min(found, COUNT_CAP), found > COUNT_CAP
    last = go_back_to_last_page(lead_filter, found)
    offset = (lead_filter.page - 1) * lead_filter.per_page
    rows = rows_statement(
        session, workspace_id, conditions, lead_filter, lead_filter.per_page + 1, offset
    )
    fetched = connection.execute(rows).all()
    has_next = len(fetched) > lead_filter.per_page and lead_filter.page < last
    return LeadPage([_row(r) for r in fetched[: lead_filter.per_page]], total, capped, has_next)
