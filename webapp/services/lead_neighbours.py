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
from urllib.parse import urlencode

from sqlalchemy import and_, false, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session, aliased
from werkzeug.datastructures import MultiDict

from webapp.models import Lead, User
from webapp.services.lead_filters import (
    SORTS,
    LeadFilter,
    filter_conditions,
    owner_shown,
    plan_for_values,
)
from webapp.services.lead_pages import MAX_ROWS

NOT_NULL_SORTS = frozenset({"status", "score", "intent", "source", "created"})


@dataclass(frozen=True)
class Neighbours:
    previous_id: uuid.UUID | None
    next_id: uuid.UUID | None
    page: int  # the My Leads page this lead sits on


def view_filter(query_string: str) -> LeadFilter:
    """My Leads' filter from its query string (what ``?from=`` carries)."""
    from urllib.parse import parse_qsl

    return LeadFilter.from_args(MultiDict(parse_qsl(query_string, keep_blank_values=False)))


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
    following = _first(session, conditions, segments[here].after(key), segments[here].order)
    for segment in segments[here + 1 :]:
        following = following or _first(session, conditions, segment.all(), segment.order)
    preceding = _first(session, conditions, segments[here].before(key), segments[here].reverse)
    for segment in reversed(segments[:here]):
        preceding = preceding or _first(session, conditions, segment.all(), segment.reverse)
    before = [segments[here].before(key)] + [s.all() for s in segments[:here]]
    count = _count(session, conditions, or_(*before))
    return Neighbours(preceding, following, _page(count, lead_filter.per_page))


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
    """The owner sort: (owner shown, owner id, newest first), unassigned last going up.

    Mixed directions rule out one row-value comparison, so "after" is spelled out key
    by key; the owner sort reads the leads joined to their owners either way.
    """
    owner = aliased(User, name="owner")
    shown = owner_shown(owner)
    values = session.execute(
        select(shown, owner.id, Lead.created_at)
        .select_from(Lead)
        .outerjoin(owner, owner.id == Lead.assigned_to_id)
        .where(Lead.id == lead.id)
    ).one()
    up = lead_filter.direction == "asc"
    # (expression, value, ascending, blanks last)
    keys = [
        (shown, values[0], up, up),
        (owner.id, values[1], up, up),
        (Lead.created_at, values[2], False, False),
        (Lead.id, lead.id, False, False),
    ]
    flipped = [(e, v, not a, not n) for e, v, a, n in keys]

    def first(predicate, spec):
        order = []
        for expression, _, ascending, blanks_last in spec:
            term = expression.asc() if ascending else expression.desc()
            order.append(term.nulls_last() if blanks_last else term.nulls_first())
        return session.execute(
            select(Lead.id)
            .select_from(Lead)
            .outerjoin(owner, owner.id == Lead.assigned_to_id)
            .where(*conditions, predicate)
            .order_by(*order)
            .limit(1)
        ).scalar()

    following = first(_after(keys), keys)
    preceding = first(_after(flipped), flipped)
    earlier = (
        select(Lead.id)
        .select_from(Lead)
        .outerjoin(owner, owner.id == Lead.assigned_to_id)
        .where(*conditions, _after(flipped))
        .limit(MAX_ROWS)
        .subquery()
    )
    count = session.execute(select(func.count()).select_from(earlier)).scalar_one()
    return Neighbours(preceding, following, _page(count, lead_filter.per_page))


def _after(keys: list):
    """Rows strictly after ``keys``' values in their order (blanks placed as each says)."""
    if not keys:
        return false()
    (expression, value, ascending, blanks_last), rest = keys[0], keys[1:]
    if value is None:
        beyond = false() if blanks_last else expression.is_not(None)
        tie = expression.is_(None)
    else:
        beyond = expression > value if ascending else expression < value
        if blanks_last:
            beyond = or_(beyond, expression.is_(None))
        tie = expression == value
    return or_(beyond, and_(tie, _after(rest)))
