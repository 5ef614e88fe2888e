"""Target-client leads in: ingest a raw lead, link one from core data, link a batch.

docs/contracts.md#target-client is the contract. Every function takes the session and
the workspace and never commits. A lead is one per core person per target client, and
one per work email: linking or ingesting the same person again returns the lead that
exists (and fills in the core links it lacked), never a second one.

The batch is set-based: a few IN queries resolve every email, domain and existing lead,
then new people, companies and leads go in with one executemany each.
"""

from __future__ import annotations

import re
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
from webapp.services.errors import NotFound, ValidationFailed, has_nul
from webapp.services.normalize import (
    clean_domain,
    clean_email,
    clean_linkedin_url,
    normalize_email_key,
)

MAX_BATCH = 10_000
IN_CHUNK = 5_000
NO_PERSON = "No matching person found in core.people"
NOT_AN_EMAIL = "person_email is not an email address"
NOT_A_DOMAIN = "company_domain is not a domain name"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_LIMIT = 120


@dataclass
class Ingested:
    lead_id: uuid.UUID
    person_id: uuid.UUID | None
    company_id: uuid.UUID | None
    core_company_id: uuid.UUID | None
    core_person_id: uuid.UUID | None


@dataclass
class Linked:
    lead_id: uuid.UUID
    core_company_id: uuid.UUID | None
    core_person_id: uuid.UUID | None
    company_found: bool
    person_found: bool


@dataclass
class BatchResult:
    total: int = 0
    linked: int = 0
    failed: int = 0
    results: list[dict] = field(default_factory=list)


def clean_target_client_domain(value) -> str:
    """The target client's key: its bare domain; ValidationFailed naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed({"target_client_domain": "is required"})
    try:
        return clean_domain(value)
    except ValueError as exc:
        raise ValidationFailed({"target_client_domain": str(exc)}) from None


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


def _full_name(first: str | None, last: str | None) -> str | None:
    return " ".join(part for part in (first, last) if part) or None


def _text(fields: dict, name: str, limit: int = NAME_LIMIT) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if has_nul(value):
        raise ValidationFailed({name: "must not contain NUL characters"})
    if len(value) > limit:
        raise ValidationFailed({name: f"must be at most {limit} characters"})
    return value or None


# -- single leads (ingest, link) ---------------------------------------------------------


def _tc_company(
    session: Session, workspace_id, tcd: str, domain: str | None, core: CoreCompany | None
) -> TargetClientCompany | None:
    if domain is None:
        return None
    company = session.execute(
        select(TargetClientCompany).where(
            TargetClientCompany.workspace_id == workspace_id,
            TargetClientCompany.target_client_domain == tcd,
            TargetClientCompany.domain == domain,
        )
    ).scalar()
    if company is None:
        company = TargetClientCompany(
            workspace_id=workspace_id, target_client_domain=tcd, domain=domain
        )
        session.add(company)
    if core is not None:
        company.core_company_id = core.id
        company.name = company.name or core.name
    return company


def _tc_person(
    session: Session, workspace_id, tcd: str, email: str | None, names: dict, core
) -> TargetClientPerson:
    person = None
    if email is not None:
        person = session.execute(
            select(TargetClientPerson).where(
                TargetClientPerson.workspace_id == workspace_id,
                TargetClientPerson.target_client_domain == tcd,
                TargetClientPerson.work_email == email,
            )
        ).scalar()
    if person is None:
        person = TargetClientPerson(workspace_id=workspace_id, target_client_domain=tcd)
        person.work_email = email
        session.add(person)
    for name, value in names.items():
        if value and not getattr(person, name):
            setattr(person, name, value)
    if core is not None:
        person.core_person_id = core.id
        person.linkedin_url = person.linkedin_url or core.linkedin_url
    return person


def _existing_lead(
    session: Session, workspace_id, tcd: str, email: str | None, core_person_id
) -> TargetClientLead | None:
    keys = []
    if email is not None:
        keys.append(TargetClientLead.work_email == email)
    if core_person_id is not None:
        keys.append(TargetClientLead.core_person_id == core_person_id)
    if not keys:
        return None
    return session.execute(
        select(TargetClientLead)
        .where(
            TargetClientLead.workspace_id == workspace_id,
            TargetClientLead.target_client_domain == tcd,
            or_(*keys),
        )
        .order_by(TargetClientLead.created_at)
        .limit(1)
    ).scalar()


def _core_person_by(session: Session, column, value) -> CorePerson | None:
    if value is None:
        return None
    return session.execute(select(CorePerson).where(column == value)).scalar()


def _core_company_for(session: Session, domain: str | None, person: CorePerson | None):
    if domain is not None:
        return session.execute(select(CoreCompany).where(CoreCompany.domain == domain)).scalar()
    if person is not None and person.core_company_id is not None:
        return session.get(CoreCompany, person.core_company_id)
    return None


def _store_lead(
    session: Session,
    workspace_id,
    tcd: str,
    *,
    email: str | None,
    names: dict,
    domain: str | None,
    source: str,
    core_person: CorePerson | None,
    core_company: CoreCompany | None,
    lead: TargetClientLead | None,
) -> TargetClientLead:
    """The lead as found (filling in what it lacked) or made, with its person and company."""
    domain = domain or (core_company.domain if core_company else None)
    person = _tc_person(session, workspace_id, tcd, email, names, core_person)
    company = _tc_company(session, workspace_id, tcd, domain, core_company)
    session.flush()
    if lead is None:
        lead = TargetClientLead(
            workspace_id=workspace_id, target_client_domain=tcd, source=source, work_email=email
        )
        session.add(lead)
    lead.person_id = lead.person_id or person.id
    lead.company_id = lead.company_id or (company.id if company else None)
    for name, value in names.items():
        if value and not getattr(lead, name):
            setattr(lead, name, value)
    lead.company_domain = lead.company_domain or domain
    if core_person is not None:
        lead.core_person_id = core_person.id
    if core_company is not None:
        lead.core_company_id = core_company.id
        lead.company_name = lead.company_name or core_company.name
    session.flush()
    return lead


def ingest_lead(session: Session, workspace_id: uuid.UUID, fields: dict) -> Ingested:
    """Store a raw lead and link the core person (by work_email) and company (by
    company_domain, else the person's company). The same email again is the same lead."""
    tcd = clean_target_client_domain(fields.get("target_client_domain"))
    errors = {}
    email = domain = None
    try:
        email = normalize_email_key(clean_email(fields.get("work_email")))
    except ValueError:
        errors["work_email"] = "is not a valid email address"
    try:
        domain = clean_domain(fields.get("company_domain"))
    except ValueError:
        errors["company_domain"] = "is not a domain name"
    if errors:
        raise ValidationFailed(errors)
    names = {"first_name": _text(fields, "first_name"), "last_name": _text(fields, "last_name")}
    names["full_name"] = _full_name(names["first_name"], names["last_name"])
    if email is None and domain is None and names["full_name"] is None:
        raise ValidationFailed({"work_email": "is required (or a name or company_domain)"})
    core_person = _core_person_by(session, CorePerson.email, email)
    core_company = _core_company_for(session, domain, core_person)
    existing = _existing_lead(
        session, workspace_id, tcd, email, core_person.id if core_person else None
    )
    lead = _store_lead(
        session,
        workspace_id,
        tcd,
        email=email,
        names=names,
        domain=domain,
        source=fields.get("source") or "contact_form",
        core_person=core_person,
        core_company=core_company,
        lead=existing,
    )
    return Ingested(
        lead.id, lead.person_id, lead.company_id, lead.core_company_id, lead.core_person_id
    )


def link_lead(session: Session, workspace_id: uuid.UUID, fields: dict) -> Linked:
    """A lead from core data: the person by LinkedIn URL and/or the company by domain.

    NotFound when neither is in core; a person linked before gives the lead that exists.
    """
    tcd = clean_target_client_domain(fields.get("target_client_domain"))
    errors = {}
    domain = linkedin = None
    try:
        domain = clean_domain(fields.get("company_domain"))
    except ValueError:
        errors["company_domain"] = "is not a domain name"
    try:
        linkedin = clean_linkedin_url(fields.get("person_linkedin_url"), kind="in")
    except ValueError as exc:
        errors["person_linkedin_url"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    if domain is None and linkedin is None:
        raise ValidationFailed({"company_domain": "is required when person_linkedin_url is not"})
    core_person = _core_person_by(session, CorePerson.linkedin_url, linkedin)
    core_company = _core_company_for(session, domain, core_person)
    if core_person is None and core_company is None:
        raise NotFound("No matching company or person found in core.")
    email = core_person.email if core_person else None
    if core_person is not None:
        existing = _existing_lead(session, workspace_id, tcd, email, core_person.id)
    else:  # a company-only link: the company's person-less lead, once
        existing = session.execute(
            select(TargetClientLead)
            .where(
                TargetClientLead.workspace_id == workspace_id,
                TargetClientLead.target_client_domain == tcd,
                TargetClientLead.core_company_id == core_company.id,
                TargetClientLead.core_person_id.is_(None),
                TargetClientLead.work_email.is_(None),
            )
            .limit(1)
        ).scalar()
    names = {
        "first_name": core_person.first_name if core_person else None,
        "last_name": core_person.last_name if core_person else None,
        "full_name": core_person.full_name if core_person else None,
    }
    names["full_name"] = names["full_name"] or _full_name(names["first_name"], names["last_name"])
    lead = _store_lead(
        session,
        workspace_id,
        tcd,
        email=email,
        names=names,
        domain=domain,
        source=fields.get("source") or "demo",
        core_person=core_person,
        core_company=core_company,
        lead=existing,
    )
    return Linked(
        lead.id,
        lead.core_company_id,
        lead.core_person_id,
        company_found=core_company is not None,
        person_found=core_person is not None,
    )


# -- the batch ---------------------------------------------------------------------------


def _rows_in(session: Session, columns: Sequence, key, values: set, scope=()) -> list:
    found = []
    for chunk in _in_chunks(values) if not on_postgresql(session) else [list(values)]:
        if chunk:
            query = select(*columns).where(*scope, _among(session, key, chunk))
            found.extend(session.execute(query).all())
    return found


def _prepare(rows: Sequence[dict], result: BatchResult) -> list[tuple[int, str, str | None]]:
    prepared = []
    for index, row in enumerate(rows):
        email = row.get("person_email")
        email = normalize_email_key(email) if isinstance(email, str) else None
        if email is None or not _EMAIL.match(email) or len(email) > 254:
            result.results[index] = {"index": index, "success": False, "error": NOT_AN_EMAIL}
            continue
        try:
            domain = clean_domain(row.get("company_domain"))
        except (ValueError, AttributeError):
            result.results[index] = {"index": index, "success": False, "error": NOT_A_DOMAIN}
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
            if lead.core_person_id is None or (company and lead.core_company_id is None):
                relinks[lead.id] = {
                    "lead_id": lead.id,
                    "core_person_id": person.id,
                    "core_company_id": lead.core_company_id or (company.id if company else None),
                }
        elif person.id in new_leads:
            lead_id = new_leads[person.id]["id"]
        else:
            lead_id = next(ids)
            new_leads[person.id] = {
                "id": lead_id,
                "workspace_id": workspace_id,
                "target_client_domain": tcd,
                "core_person_id": person.id,
                "core_company_id": company.id if company else None,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "full_name": person.full_name or _full_name(person.first_name, person.last_name),
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
            "company_found": company is not None,
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
        found = session.execute(
            select(*columns).where(
                *scope,
                or_(
                    _among(session, L.core_person_id, [p.id for p in chunk]),
                    _among(session, L.work_email, [p.email for p in chunk]),
                ),
            )
        ).all()
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
