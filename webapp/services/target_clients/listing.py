"""Target-client leads out: the list with enriched core data, and the target clients.

One joined query builds every lead's `enriched_company` and `enriched_person`
(docs/contracts.md#target-client): no query per lead, whatever the count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models.core import CoreCompany, CorePerson
from webapp.models.target_clients import TargetClientLead
from webapp.services.events.outbox import iso

MAX_LIST = 10_000
L, C, P = TargetClientLead, CoreCompany, CorePerson


def _joined(workspace_id: uuid.UUID, tcd: str, source: str | None):
    query = (
        select(
            L.id,
            L.full_name,
            L.first_name,
            L.last_name,
            L.work_email,
            L.company_domain,
            L.company_name,
            L.core_company_id,
            L.core_person_id,
            L.source,
            L.created_at,
            C.name.label("c_name"),
            C.industry.label("c_industry"),
            C.employee_count.label("c_employee_count"),
            C.city.label("c_city"),
            C.domain.label("c_domain"),
            P.title.label("p_title"),
            P.seniority.label("p_seniority"),
            P.department.label("p_department"),
            P.linkedin_url.label("p_linkedin_url"),
        )  # fmt: skip
        .outerjoin(C, C.id == L.core_company_id)
        .outerjoin(P, P.id == L.core_person_id)
        .where(L.workspace_id == workspace_id, L.target_client_domain == tcd)
    )
    if source:
        query = query.where(L.source == source)
    return query


def lead_rows(
    session: Session,
    workspace_id: uuid.UUID,
    tcd: str,
    source: str | None = None,
    limit: int = MAX_LIST,
    offset: int = 0,
) -> list:
    """Rows of the joined query, oldest first (ties by id)."""
    query = _joined(workspace_id, tcd, source).order_by(L.created_at, L.id)
    return session.execute(query.limit(limit).offset(offset)).all()


def count_leads(session: Session, workspace_id: uuid.UUID, tcd: str, source=None) -> int:
    query = select(func.count()).where(
        L.workspace_id == workspace_id, L.target_client_domain == tcd
    )
    if source:
        query = query.where(L.source == source)
    return session.execute(query).scalar_one()


def listed_lead(row) -> dict:
    """One lead as the list endpoint answers it (seed 000; `source`, `created_at` ours)."""
    return {
        "id": row.id,
        "full_name": row.full_name,
        "work_email": row.work_email,
        "company_domain": row.company_domain,
        "core_company_id": row.core_company_id,
        "core_person_id": row.core_person_id,
        "enriched_company": None
        if row.core_company_id is None
        else {
            "name": row.c_name,
            "industry": row.c_industry,
            "employee_count": row.c_employee_count,
            "city": row.c_city,
        },
        "enriched_person": None
        if row.core_person_id is None
        else {"title": row.p_title, "seniority": row.p_seniority, "department": row.p_department},
        "source": row.source,
        "created_at": iso(row.created_at),
    }


def list_leads(
    session: Session, workspace_id: uuid.UUID, tcd: str, source=None, limit: int = MAX_LIST
) -> list[dict]:
    return [listed_lead(row) for row in lead_rows(session, workspace_id, tcd, source, limit)]


@dataclass(frozen=True)
class TargetClientSummary:
    domain: str
    leads: int
    people_found: int
    companies_found: int
    last_added: object


def target_clients(session: Session, workspace_id: uuid.UUID) -> list[TargetClientSummary]:
    """Each target client of the workspace with its counts, most recently active first."""
    rows = session.execute(
        select(
            L.target_client_domain,
            func.count(),
            func.count(L.core_person_id),
            func.count(L.core_company_id),
            func.max(L.created_at),
        )
        .where(L.workspace_id == workspace_id)
        .group_by(L.target_client_domain)
        .order_by(func.max(L.created_at).desc(), L.target_client_domain)
    ).all()
    return [TargetClientSummary(*row) for row in rows]


def sources_of(session: Session, workspace_id: uuid.UUID, tcd: str) -> list[str]:
    return list(
        session.execute(
            select(L.source)
            .where(L.workspace_id == workspace_id, L.target_client_domain == tcd)
            .group_by(L.source)
            .order_by(L.source)
        ).scalars()
    )
