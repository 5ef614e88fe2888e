"""What the Companies and People pages show: core reference data, searchable and paged,
and a company with its people and the current workspace's leads linked to it."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.core import CoreCompany, CorePerson
from webapp.services.errors import NotFound
from webapp.services.record_pages import EMPTY, Page, linked, matching, paged


def companies_page(session: Session, q: str = "", raw_page=1) -> Page:
    """Rows of (CoreCompany,), by name then domain."""
    query = select(CoreCompany)
    if q:
        query = query.where(
            matching((CoreCompany.name, CoreCompany.domain, CoreCompany.industry), q)
        )
    name = func.lower(func.coalesce(CoreCompany.name, CoreCompany.domain))
    return paged(session, query, (name, CoreCompany.id), raw_page)


def people_page(session: Session, q: str = "", raw_page=1) -> Page:
    """Rows of (CorePerson, company name, company id), by name then email."""
    query = select(CorePerson, CoreCompany.name.label("company_name")).outerjoin(
        CoreCompany, CoreCompany.id == CorePerson.core_company_id
    )
    if q:
        columns = (CorePerson.full_name, CorePerson.email, CorePerson.title, CoreCompany.name)
        query = query.where(matching(columns, q))
    name = func.lower(func.coalesce(CorePerson.full_name, CorePerson.email, EMPTY))
    return paged(session, query, (name, CorePerson.id), raw_page)


def company_detail(session: Session, workspace_id: uuid.UUID, company_id: uuid.UUID) -> dict:
    """The company, its people, and this workspace's leads tied to it (by link or domain)."""
    company = session.get(CoreCompany, company_id)
    if company is None:
        raise NotFound("company")
    people = linked(
        session,
        CorePerson,
        (CorePerson.core_company_id == company.id,),
        (func.lower(func.coalesce(CorePerson.full_name, CorePerson.email)), CorePerson.id),
    )
    tied = (
        Lead.workspace_id == workspace_id,
        or_(Lead.core_company_id == company.id, Lead.company_domain == company.domain),
    )
    leads = linked(session, Lead, tied, (Lead.created_at.desc(), Lead.id.desc()))
    return {"company": company, "people": people, "leads": leads}
