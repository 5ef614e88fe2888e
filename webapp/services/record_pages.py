"""What the record pages (Companies, People, Contacts, Accounts) share: a search typed
over a few text columns, a page of PER_PAGE rows, and the first LINKED_LIMIT rows tied
to one record with how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from webapp.services.leads.filters import MAX_QUERY_LENGTH, _like_pattern
from webapp.services.paging import page_number

PER_PAGE = 25
LINKED_LIMIT = 100  # rows shown on a record's page; the rest are counted
EMPTY, _SPACE = literal_column("''"), literal_column("' '")


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


@dataclass(frozen=True)
class Linked:
    """Rows tied to a record: the first LINKED_LIMIT, and how many in all."""

    rows: list
    total: int


def clean_query(raw: str | None) -> str:
    return (raw or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def matching(columns, q: str):
    """`q` anywhere in the columns' text, joined by spaces, case-insensitively."""
    text = func.coalesce(columns[0], EMPTY)
    for column in columns[1:]:
        text = text.op("||")(_SPACE).op("||")(func.coalesce(column, EMPTY))
    return func.lower(text).like(_like_pattern(q), escape="\\")


def paged(session: Session, query: Select, order, raw_page) -> Page:
    """The page asked for (past the end: the last) of `query`'s rows in `order`."""
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number(raw_page, total, PER_PAGE)
    rows = session.execute(
        query.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return Page(rows, total, page)


def linked(session: Session, model, conditions, order) -> Linked:
    """The first LINKED_LIMIT rows of `model` meeting `conditions`, in `order`, and the count."""
    total = session.execute(select(func.count()).select_from(model).where(*conditions))
    rows = session.execute(select(model).where(*conditions).order_by(*order).limit(LINKED_LIMIT))
    return Linked(list(rows.scalars()), total.scalar_one())
