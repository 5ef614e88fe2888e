"""What the Contacts and Accounts pages show: searchable pages of each, and one of either
with the leads converted into it and the lead it was first made from."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.crm import Account, Contact
from webapp.services.errors import NotFound
from webapp.services.record_pages import EMPTY, Linked, Page, linked, matching, paged


def contacts_page(session: Session, workspace_id: uuid.UUID, q: str = "", raw_page=1) -> Page:
    """Rows of (Contact, account name), by name."""
    query = (
        select(Contact, Account.name.label("account_name"))
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(Contact.workspace_id == workspace_id)
    )
    if q:
        columns = (Contact.full_name, Contact.email, Contact.phone, Contact.job_title, Account.name)
        query = query.where(matching(columns, q))
    name = func.lower(func.coalesce(Contact.full_name, Contact.email, EMPTY))
    return paged(session, query, (name, Contact.id), raw_page)


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
        query = query.where(matching((Account.name, Account.domain, Account.industry), q))
    return paged(session, query, (func.lower(Account.name), Account.id), raw_page)


def _get(session: Session, model, workspace_id: uuid.UUID, object_id: uuid.UUID):
    found = session.execute(
        select(model).where(model.id == object_id, model.workspace_id == workspace_id)
    ).scalar()
    if found is None:
        raise NotFound(model.__tablename__)
    return found


def _converted(session: Session, workspace_id: uuid.UUID, condition) -> Linked:
    """The workspace's leads converted into a contact or account (`condition`)."""
    where = (Lead.workspace_id == workspace_id, condition)
    return linked(session, Lead, where, (Lead.converted_at.desc(), Lead.id.desc()))


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
        "linked": _converted(session, workspace_id, Lead.converted_contact_id == contact.id),
        "origin_lead": _lead(session, workspace_id, contact.created_from_lead_id),
    }


def account_detail(session: Session, workspace_id: uuid.UUID, account_id: uuid.UUID) -> dict:
    account = _get(session, Account, workspace_id, account_id)
    where = (Contact.workspace_id == workspace_id, Contact.account_id == account.id)
    name = func.lower(func.coalesce(Contact.full_name, Contact.email, EMPTY))
    return {
        "account": account,
        "contacts": linked(session, Contact, where, (name, Contact.id)),
        "linked": _converted(session, workspace_id, Lead.converted_account_id == account.id),
        "origin_lead": _lead(session, workspace_id, account.created_from_lead_id),
    }
