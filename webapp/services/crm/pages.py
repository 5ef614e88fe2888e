"""What the Contacts and Accounts pages show: searchable pages of each, and one of either
with the leads converted into it and the lead it was first made from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.crm import Account, Contact
from webapp.services.errors import NotFound
from webapp.services.leads.filters import MAX_QUERY_LENGTH
from webapp.services.paging import page_number

PER_PAGE = 25
LINKED_LIMIT = 100  # leads shown on a contact's or account's page; the rest are counted
_EMPTY, _SPACE = literal_column("''"), literal_column("' '")


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
    """Rows linked to a contact or account: the first LINKED_LIMIT, and how many in all."""

    rows: list
    total: int


def _searching(columns, q: str):
    text = func.coalesce(columns[0], _EMPTY)
    for column in columns[1:]:
        text = text.op("||")(_SPACE).op("||")(func.coalesce(column, _EMPTY))
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(text).like(f"%{escaped}%", escape="\\")


def clean_query(raw: str | None) -> str:
    return (raw or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def _paged(session: Session, query: Select, order, raw_page) -> Page:
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number(raw_page, total, PER_PAGE)
    rows = session.execute(
        query.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return Page(rows, total, page)


def contacts_page(session: Session, workspace_id: uuid.UUID, q: str = "", raw_page=1) -> Page:
    """Rows of (Contact, account name), by name."""
    query = (
        select(Contact, Account.name.label("account_name"))
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(Contact.workspace_id == workspace_id)
    )
    if q:
        columns = (Contact.full_name, Contact.email, Contact.phone, Contact.job_title, Account.name)
        query = query.where(_searching(columns, q))
    name = func.lower(func.coalesce(Contact.full_name, Contact.email, _EMPTY))
    return _paged(session, query, (name, Contact.id), raw_page)


def accounts_page(session: Session, workspace_id: uuid.UUID, q: str = "", raw_page=1) -> Page:
    """Rows of (Account, number of contacts), by name."""
    contacts = (
        select(func.count())
        .where(Contact.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )
    query = select(Account, contacts.label("contact_count")).where(
        Account.workspace_id == workspace_id
    )
    if q:
        query = query.where(_searching((Account.name, Account.domain, Account.industry), q))
    return _paged(session, query, (func.lower(Account.name), Account.id), raw_page)


def _get(session: Session, model, workspace_id: uuid.UUID, object_id: uuid.UUID):
    found = session.execute(
        select(model).where(model.id == object_id, model.workspace_id == workspace_id)
    ).scalar()
    if found is None:
        raise NotFound(model.__tablename__)
    return found


def _linked(session: Session, workspace_id: uuid.UUID, condition) -> Linked:
    where = (Lead.workspace_id == workspace_id, condition)
    total = session.execute(select(func.count()).select_from(Lead).where(*where)).scalar_one()
    leads = session.execute(
        select(Lead)
        .where(*where)
        .order_by(Lead.converted_at.desc(), Lead.id.desc())
        .limit(LINKED_LIMIT)
    ).scalars()
    return Linked(list(leads), total)


def _lead(session: Session, workspace_id: uuid.UUID, lead_id: uuid.UUID | None) -> Lead | None:
    """The lead a record was made from; None once it is deleted (or merged away)."""
    if lead_id is None:
        return None
    return session.execute(
        select(Lead).where(Lead.id == lead_id, Lead.workspace_id == workspace_id)
    ).scalar()


def contact_detail(session: Session, workspace_id: uuid.UUID, contact_id: uuid.UUID) -> dict:
    contact = _get(session, Contact, workspace_id, contact_id)
    account = (
        _get(session, Account, workspace_id, contact.account_id) if contact.account_id else None
    )
    return {
        "contact": contact,
        "account": account,
        "linked": _linked(session, workspace_id, Lead.converted_contact_id == contact.id),
        "origin_lead": _lead(session, workspace_id, contact.created_from_lead_id),
    }


def account_detail(session: Session, workspace_id: uuid.UUID, account_id: uuid.UUID) -> dict:
    account = _get(session, Account, workspace_id, account_id)
    where = (Contact.workspace_id == workspace_id, Contact.account_id == account.id)
    contacts = session.execute(
        select(Contact)
        .where(*where)
        .order_by(func.lower(func.coalesce(Contact.full_name, Contact.email, _EMPTY)), Contact.id)
        .limit(LINKED_LIMIT)
    ).scalars()
    count = session.execute(select(func.count()).select_from(Contact).where(*where)).scalar_one()
    return {
        "account": account,
        "contacts": Linked(list(contacts), count),
        "linked": _linked(session, workspace_id, Lead.converted_account_id == account.id),
        "origin_lead": _lead(session, workspace_id, account.created_from_lead_id),
    }
