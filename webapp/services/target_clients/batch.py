"""Linking a batch of target-client leads by email, set-based (docs/contracts.md#target-client).

A few queries resolve every email, domain and existing lead at once (`= ANY(array)` on
PostgreSQL, chunked IN elsewhere), then the new people, companies and leads go in with
one COPY (PostgreSQL) or executemany each. Linking a person again gives the lead that
exists, within a batch and across batches. The caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from webapp.models.base import utcnow
from webapp.models.core import CoreCompany, CorePerson
from webapp.models.target_clients import (
    TargetClientCompany,
    TargetClientLead,
    TargetClientPerson,
)
from webapp.services.bulk import bulk_insert, new_ids, on_postgresql
from webapp.services.errors import NUL_REASON, has_nul
from webapp.services.normalize import clean_domain, clean_email_key
from webapp.services.target_clients.linking import clean_target_client_domain, full_name

MAX_BATCH = 10_000
IN_CHUNK = 5_000
NO_PERSON = "No matching person found in core.people"
NOT_AN_EMAIL = "person_email is not an email address"
NOT_A_DOMAIN = "company_domain is not a domain name"
NOT_A_ROW = "the row must be an object with person_email (and company_domain)"


@dataclass
class BatchResult:
    total: int = 0
    linked: int = 0
    failed: int = 0
    results: list[dict] = field(default_factory=list)


def _among(session: Session, column, values: list):
    """`column IN values` as one condition: `= ANY(array)` on PostgreSQL (one parameter,
    nothing to compile per value), an expanding IN elsewhere (the caller chunks)."""
    if on_postgresql(session):
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def _in_chunks(values: Iterable) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


# -- the batch ---------------------------------------------------------------------------


def _rows_in(session: Session, columns: Sequence, key, values: set, scope=()) -> list:
    found = []
    for chunk in _in_chunks(values) if not on_postgresql(session) else [list(values)]:
        if chunk:
            query = select(*columns).where(*scope, _among(session, key, chunk))
            found.extend(session.connection().execute(query).all())
    return found


class RowRefused(ValueError):
    pass


def _row_keys(row) -> tuple[str, str | None]:
    """The row's email key and company domain; RowRefused naming the field and why."""
    if not isinstance(row, dict):
        raise RowRefused(NOT_A_ROW)
    email, domain = row.get("person_email"), row.get("company_domain")
    for name, value in (("person_email", email), ("company_domain", domain)):
        if value is not None and not isinstance(value, str):
            raise RowRefused(f"{name} must be text")
        if has_nul(value):
            raise RowRefused(f"{name} {NUL_REASON}")
    if email is None or not email.strip():
        raise RowRefused("person_email is required")
    try:
        email = clean_email_key(email)
    except ValueError:
        raise RowRefused(NOT_AN_EMAIL) from None
    try:
        domain = clean_domain(domain)
    except ValueError:
        raise RowRefused(NOT_A_DOMAIN) from None
    return email, domain


def _prepare(rows: Sequence, result: BatchResult) -> list[tuple[int, str, str | None]]:
    """Each row's keys; a malformed row's result says which field and why (never raises)."""
    prepared = []
    for index, row in enumerate(rows):
        try:
            email, domain = _row_keys(row)
        except RowRefused as exc:
            result.results[index] = {"index": index, "success": False, "error": str(exc)}
            continue
        prepared.append((index, email, domain))
    return prepared


def link_batch(
    session: Session, workspace_id: uuid.UUID, target_client_domain, source: str, rows
) -> BatchResult:
    """Link up to MAX_BATCH rows of {person_email, company_domain?}; a result per row.

    A row fails when its email is not in core.people; the company is the row's
    company_domain, else the person's company. The caller checks the size.
    """
    tcd = clean_target_client_domain(target_client_domain)
    result = BatchResult(total=len(rows), results=[None] * len(rows))
    prepared = _prepare(rows, result)
    P = CorePerson  # noqa: N806
    people = {
        p.email: p
        for p in _rows_in(
            session,
            (P.id, P.email, P.core_company_id, P.first_name, P.last_name, P.full_name,
             P.linkedin_url, P.company_domain),
            P.email,
            {email for _, email, _ in prepared},
        )
    }  # fmt: skip
    companies_by_domain, companies_by_id = _companies(session, prepared, people)
    found_people = {email: p for email, p in people.items()}
    existing_by_person, existing_by_email = _existing_leads(session, workspace_id, tcd, people)

    new_leads: dict[uuid.UUID, dict] = {}  # core person id -> lead row to insert
    ids = iter(new_ids(len(prepared)))
    relinks: dict[uuid.UUID, dict] = {}
    now = utcnow()
    for index, email, domain in prepared:
        person = found_people.get(email)
        if person is None:
            result.results[index] = {"index": index, "success": False, "error": NO_PERSON}
            continue
        company = (
            companies_by_domain.get(domain)
            if domain
            else companies_by_id.get(person.core_company_id)
        )
        lead = existing_by_person.get(person.id) or existing_by_email.get(email)
        if lead is not None:
            lead_id = lead.id
            company_id = lead.core_company_id or (company.id if company else None)
            if lead.core_person_id is None or company_id != lead.core_company_id:
                relinks[lead.id] = {
                    "lead_id": lead.id,
                    "core_person_id": person.id,
                    "core_company_id": company_id,
                }
        elif person.id in new_leads:
            lead_id = new_leads[person.id]["id"]
            company_id = new_leads[person.id]["core_company_id"]
        else:
            lead_id = next(ids)
            company_id = company.id if company else None
            new_leads[person.id] = {
                "id": lead_id,
                "workspace_id": workspace_id,
                "target_client_domain": tcd,
                "core_person_id": person.id,
                "core_company_id": company_id,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "full_name": person.full_name or full_name(person.first_name, person.last_name),
                "work_email": email,
                "company_domain": domain or (company.domain if company else person.company_domain),
                "company_name": company.name if company else None,
                "source": source,
                "created_at": now,
                "updated_at": now,
                "_linkedin_url": person.linkedin_url,
            }
        result.results[index] = {
            "index": index,
            "success": True,
            "lead_id": lead_id,
            "person_found": True,
            # The lead's core company, as the list shows it: this row's, or one linked
            # before (e.g. the person's company when an earlier row named none).
            "company_found": company_id is not None,
        }
    _insert_leads(session, workspace_id, tcd, list(new_leads.values()), now)
    if relinks:
        table = TargetClientLead.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("lead_id"))
            .values(
                core_person_id=bindparam("core_person_id"),
                core_company_id=bindparam("core_company_id"),
                updated_at=now,
            ),
            list(relinks.values()),
        )
    result.linked = sum(1 for r in result.results if r["success"])
    result.failed = result.total - result.linked
    return result


def _companies(session: Session, prepared, people: dict) -> tuple[dict, dict]:
    C = CoreCompany  # noqa: N806
    columns = (C.id, C.domain, C.name)
    domains = {domain for _, _, domain in prepared if domain}
    by_domain = {c.domain: c for c in _rows_in(session, columns, C.domain, domains)}
    ids = {p.core_company_id for p in people.values() if p.core_company_id}
    ids -= {c.id for c in by_domain.values()}
    by_id = {c.id: c for c in _rows_in(session, columns, C.id, ids)}
    by_id.update({c.id: c for c in by_domain.values()})
    return by_domain, by_id


def _existing_leads(session: Session, workspace_id, tcd: str, people: dict) -> tuple[dict, dict]:
    L = TargetClientLead  # noqa: N806
    columns = (L.id, L.core_person_id, L.core_company_id, L.work_email)
    scope = (L.workspace_id == workspace_id, L.target_client_domain == tcd)
    by_person, by_email = {}, {}
    everyone = list(people.values())
    for chunk in _in_chunks(everyone) if not on_postgresql(session) else [everyone]:
        if not chunk:
            continue
        found = (
            session.connection()
            .execute(
                select(*columns).where(
                    *scope,
                    or_(
                        _among(session, L.core_person_id, [p.id for p in chunk]),
                        _among(session, L.work_email, [p.email for p in chunk]),
                    ),
                )
            )
            .all()
        )
        for lead in found:
            if lead.core_person_id is not None:
                by_person[lead.core_person_id] = lead
            if lead.work_email is not None:
                by_email[lead.work_email] = lead
    return by_person, by_email


def _insert_leads(session: Session, workspace_id, tcd: str, leads: list[dict], now) -> None:
    """The new leads with their target-client people and companies, one executemany each."""
    if not leads:
        return
    T = TargetClientPerson  # noqa: N806
    K = TargetClientCompany  # noqa: N806
    scope_p = (T.workspace_id == workspace_id, T.target_client_domain == tcd)
    people = {
        row.work_email: row.id
        for row in _rows_in_scoped(session, (T.id, T.work_email), T.work_email,
                                   {lead["work_email"] for lead in leads}, scope_p)
    }  # fmt: skip
    scope_c = (K.workspace_id == workspace_id, K.target_client_domain == tcd)
    domains = {lead["company_domain"] for lead in leads if lead["company_domain"]}
    companies = {
        row.domain: row.id
        for row in _rows_in_scoped(session, (K.id, K.domain), K.domain, domains, scope_c)
    }
    new_people, new_companies = [], []
    ids = iter(new_ids(2 * len(leads)))
    for lead in leads:
        email, domain = lead["work_email"], lead["company_domain"]
        linkedin = lead.pop("_linkedin_url")
        if email not in people:
            people[email] = next(ids)
            new_people.append(
                {"id": people[email], "workspace_id": workspace_id, "target_client_domain": tcd,
                 "first_name": lead["first_name"], "last_name": lead["last_name"],
                 "full_name": lead["full_name"], "work_email": email, "linkedin_url": linkedin,
                 "core_person_id": lead["core_person_id"], "created_at": now}
            )  # fmt: skip
        if domain and domain not in companies:
            companies[domain] = next(ids)
            new_companies.append(
                {"id": companies[domain], "workspace_id": workspace_id,
                 "target_client_domain": tcd, "domain": domain, "name": lead["company_name"],
                 "core_company_id": lead["core_company_id"], "created_at": now}
            )  # fmt: skip
        lead["person_id"] = people[email]
        lead["company_id"] = companies.get(domain) if domain else None
    bulk_insert(session, T.__table__, new_people)
    bulk_insert(session, K.__table__, new_companies)
    bulk_insert(session, TargetClientLead.__table__, leads)


def _rows_in_scoped(session: Session, columns, key, values: set, scope) -> list:
    return _rows_in(session, columns, key, values, scope)
