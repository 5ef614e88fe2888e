"""What the Companies and People pages show: core reference data, searchable and paged,
and a company with its people and the current workspace's leads linked to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, or_, select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.core import CoreCompany, CorePerson
from webapp.services.errors import NotFound
from webapp.services.leads.filters import MAX_QUERY_LENGTH
from webapp.services.paging import page_number

PER_PAGE = 25
LINKED_LIMIT = 100
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
    rows: list
    total: int


def clean_query(raw: str | None) -> str:
    return (raw or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def _matching(columns, q: str):
    text = func.coalesce(columns[0], _EMPTY)
    for column in columns[1:]:
        text = text.op("||")(_SPACE).op("||")(func.coalesce(column, _EMPTY))
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(text).like(f"%{escaped}%", escape="\\")


def _paged(session: Session, query: Select, order, raw_page) -> Page:
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number(raw_page, total, PER_PAGE)
    rows = session.execute(
        query.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return Page(rows, total, page)


def companies_page(session: Session, q: str = "", raw_page=1) -> Page:
    """Rows of (CoreCompany,), by name then domain."""
    query = select(CoreCompany)
    if q:
        query = query.where(
            _matching((CoreCompany.name, CoreCompany.domain, CoreCompany.industry), q)
        )
    name = func.lower(func.coalesce(CoreCompany.name, CoreCompany.domain))
    return _paged(session, query, (name, CoreCompany.id), raw_page)


def people_page(session: Session, q: str = "", raw_page=1) -> Page:
    """Rows of (CorePerson, company name, company id), by name then email."""
    query = select(CorePerson, CoreCompany.name.label("company_name")).outerjoin(
        CoreCompany, CoreCompany.id == CorePerson.core_company_id
    )
    if q:
        columns = (CorePerson.full_name, CorePerson.email, CorePerson.title, CoreCompany.name)
        query = query.where(_matching(columns, q))
    name = func.lower(func.coalesce(CorePerson.full_name, CorePerson.email, _EMPTY))
    return _paged(session, query, (name, CorePerson.id), raw_page)


def company_detail(session: Session, workspace_id: uuid.UUID, company_id: uuid.UUID) -> dict:
    """The company, its people, and this workspace's leads tied to it (by link or domain)."""
    company = session.get(CoreCompany, company_id)
    if company is None:
        raise NotFound("company")
    of_company = CorePerson.core_company_id == company.id
    people_total = session.execute(
        select(func.count()).select_from(CorePerson).where(of_company)
    ).scalar_one()
    people = session.execute(
        select(CorePerson)
        .where(of_company)
        .order_by(func.lower(func.coalesce(CorePerson.full_name, CorePerson.email)), CorePerson.id)
        .limit(LINKED_LIMIT)
    ).scalars()
    tied = (
        Lead.workspace_id == workspace_id,
        or_(Lead.core_company_id == company.id, Lead.company_domain == company.domain),
    )
    leads_total = session.execute(select(func.count()).select_from(Lead).where(*tied)).scalar_one()
    leads = session.execute(
        select(Lead)
        .where(*tied)
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(LINKED_LIMIT)
    ).scalars()
    return {
        "company": company,
        "people": Linked(list(people), people_total),
        "leads": Linked(list(leads), leads_total),
    }
