"""The lead before and after this one in a My Leads view, and the page it sits on.

The view is My Leads' own query string (``LeadFilter``): the same conditions and the
same order, read around the lead by keyset, so neither the whole list nor an offset is
read. A sort on a nullable column puts its blanks in a block of their own (last going
up, first going down), so the order is two segments, each a plain ``(column, id)``
order that a row-value comparison reads straight off the (workspace, column, id)
indexes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import and_, func, literal, or_, select, true, tuple_
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from webapp.models import Lead
from webapp.services.leads.filters import (
    SORTS,
    LeadFilter,
    filter_conditions,
    plan_for_values,
)
from webapp.services.leads.my_leads import MAX_ROWS, ranked_owners

NOT_NULL_SORTS = frozenset({"status", "score", "intent", "source", "created"})
FEW_VALUES = frozenset({"status", "score", "intent", "source"})


@dataclass(frozen=True)
class Neighbours:
    previous_id: uuid.UUID | None
    next_id: uuid.UUID | None
    page: int  # the My Leads page this lead sits on


def view_args(query_string: str) -> MultiDict:
    """My Leads' query string (what ``?from=`` carries) as the args My Leads reads."""
    return MultiDict(parse_qsl(query_string, keep_blank_values=True))


def view_filter(query_string: str, default_owner: str | None = None) -> LeadFilter:
    """My Leads' filter from its query string; ``default_owner`` as My Leads assumes it
    when the query names no owner (a rep's own leads)."""
    return LeadFilter.from_args(view_args(query_string), default_owner=default_owner)


def list_query(lead_filter: LeadFilter, page: int) -> str:
    """The query string of the view's page ``page`` (defaults left out)."""
    return urlencode(lead_filter.to_args(page=page), doseq=True)


def neighbours(
    session: Session,
    lead: Lead,
    lead_filter: LeadFilter,
    user_id: uuid.UUID,
    timezone: str = "UTC",
) -> Neighbours:
    plan_for_values(session)
    conditions = filter_conditions(lead_filter, lead.workspace_id, user_id, timezone)
    if lead_filter.sort == "owner":
        return _owner_neighbours(session, lead, lead_filter, conditions)
    column = SORTS[lead_filter.sort]
    value = session.execute(select(column).where(Lead.id == lead.id)).scalar()
    ascending = lead_filter.direction == "asc"
    segments = _segments(column, ascending, lead_filter.sort in NOT_NULL_SORTS)
    here = next(i for i, s in enumerate(segments) if (value is None) == s.blank)
    key = (value, lead.id)
    if lead_filter.sort in FEW_VALUES:  # read group by group instead (see _step)
        following = _step(session, conditions, column, value, lead.id, ascending)
        preceding = _step(session, conditions, column, value, lead.id, not ascending)
    else:
        following, preceding = _around(session, conditions, segments, here, key)
    before = [segments[here].before(key)] + [s.all() for s in segments[:here]]
    count = _count(session, conditions, or_(*before))
    return Neighbours(preceding, following, _page(count, lead_filter.per_page))


def _around(session: Session, conditions: list, segments: list, here: int, key: tuple):
    """(next, previous): in the lead's own segment by keyset, else the neighbouring one's end."""
    following = _first(session, conditions, segments[here].after(key), segments[here].order)
    for segment in segments[here + 1 :]:
        following = following or _first(session, conditions, segment.all(), segment.order)
    preceding = _first(session, conditions, segments[here].before(key), segments[here].reverse)
    for segment in reversed(segments[:here]):
        preceding = preceding or _first(session, conditions, segment.all(), segment.reverse)
    return following, preceding


def _step(session: Session, conditions: list, column, value, lead_id, ascending: bool):
    """The next lead in (column, id) order, ``ascending`` or not, for a column of few values.

    No index orders the leads of one status (intent, source, score) by id, so a row-value
    comparison reads the whole group. Instead: the next id among the lead's own value
    (the primary key, walked from the lead's id, soon meets one), else the first id of
    the next value (its index gives the value at once).
    """
    by_id = Lead.id.asc() if ascending else Lead.id.desc()
    beyond = Lead.id > lead_id if ascending else Lead.id < lead_id
    found = _first(session, [*conditions, column == value], beyond, (by_id,))
    if found is not None:
        return found
    edge = func.min(column) if ascending else func.max(column)
    later = column > value if ascending else column < value
    next_value = session.execute(select(edge).where(*conditions, later)).scalar()
    if next_value is None:
        return None
    return _first(session, [*conditions, column == next_value], true(), (by_id,))


@dataclass(frozen=True)
class _Segment:
    """One block of the order: the blanks (by id) or the values (by column, then id)."""

    column: object
    ascending: bool
    blank: bool

    @property
    def _key(self):
        return Lead.id if self.blank else tuple_(self.column, Lead.id)

    def _is_in(self):
        return self.column.is_(None) if self.blank else self.column.is_not(None)

    def _value(self, key):
        if self.blank:
            return key[1]
        # Typed literals: the column's own type binds the value (a UTC datetime on SQLite).
        return tuple_(literal(key[0], self.column.type), literal(key[1], Lead.id.type))

    def after(self, key):
        later = self._key > self._value(key) if self.ascending else self._key < self._value(key)
        return and_(self._is_in(), later)

    def before(self, key):
        earlier = self._key < self._value(key) if self.ascending else self._key > self._value(key)
        return and_(self._is_in(), earlier)

    def all(self):
        return self._is_in()

    @property
    def order(self):
        keys = (Lead.id,) if self.blank else (self.column, Lead.id)
        return tuple(k.asc() if self.ascending else k.desc() for k in keys)

    @property
    def reverse(self):
        keys = (Lead.id,) if self.blank else (self.column, Lead.id)
        return tuple(k.desc() if self.ascending else k.asc() for k in keys)


def _segments(column, ascending: bool, not_null: bool) -> list[_Segment]:
    values = _Segment(column, ascending, blank=False)
    if not_null:
        return [values]
    blanks = _Segment(column, ascending, blank=True)
    # lead_filters.sort_order: blanks last going up, first going down.
    return [values, blanks] if ascending else [blanks, values]


def _first(session: Session, conditions: list, where, order) -> uuid.UUID | None:
    return session.execute(
        select(Lead.id).where(*conditions, where).order_by(*order).limit(1)
    ).scalar()


def _count(session: Session, conditions: list, where) -> int:
    """How many leads come before, up to MAX_ROWS (where My Leads' pages stop)."""
    earlier = select(Lead.id).where(*conditions, where).limit(MAX_ROWS).subquery()
    return session.execute(select(func.count()).select_from(earlier)).scalar_one()


def _page(count_before: int, per_page: int) -> int:
    return min(count_before, MAX_ROWS - 1) // per_page + 1


def _owner_neighbours(
    session: Session, lead: Lead, lead_filter: LeadFilter, conditions: list
) -> Neighbours:
    """The owner sort: owner after owner as ranked_owners orders them (the unassigned last
    going up, first going down), each owner's leads newest first.

    Read the way My Leads reads it (lead_pages.owner_sorted_rows): within one owner off
    the (workspace, owner, created, id) index, then owner by owner, never a sort of every
    lead by its owner's name.
    """
    going_up = lead_filter.direction == "asc"
    ranked = ranked_owners(lead.workspace_id, going_up)
    owners: list = list(
        session.execute(select(ranked.c.owner_id).order_by(ranked.c.rank)).scalars()
    )
    owners = [*owners, None] if going_up else [None, *owners]
    here = owners.index(lead.assigned_to_id) if lead.assigned_to_id in owners else len(owners)
    key = tuple_(Lead.created_at, Lead.id)
    at = tuple_(literal(lead.created_at, Lead.created_at.type), literal(lead.id, Lead.id.type))
    newest, oldest = (Lead.created_at.desc(), Lead.id.desc()), (Lead.created_at, Lead.id)

    def of(owner):
        return Lead.assigned_to_id.is_(None) if owner is None else Lead.assigned_to_id == owner

    mine = [*conditions, of(lead.assigned_to_id)]
    following = _first(session, mine, key < at, newest)
    for owner in owners[here + 1 :]:
        following = following or _first(session, [*conditions, of(owner)], true(), newest)
    preceding = _first(session, mine, key > at, oldest)
    for owner in reversed(owners[:here]):
        preceding = preceding or _first(session, [*conditions, of(owner)], true(), oldest)
    count = _count(session, mine, key > at)
    for owner in owners[:here]:
        if count >= MAX_ROWS:
            break
        count += _count(session, [*conditions, of(owner)], true())
    return Neighbours(preceding, following, _page(count, lead_filter.per_page))
