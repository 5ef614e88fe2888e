"""Target-client leads in: ingest a raw lead, or link one from core data (the batch is
webapp/services/target_clients/batch.py).

docs/contracts.md#target-client is the contract. Every function takes the session and
the workspace and never commits. A lead is one per core person per target client, and
one per work email: linking or ingesting the same person again returns the lead that
exists (and fills in the core links it lacked), never a second one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.models.core import CoreCompany, CorePerson
from webapp.models.target_clients import (
    TargetClientCompany,
    TargetClientLead,
    TargetClientPerson,
)
from webapp.services.errors import NotFound, ValidationFailed, has_nul
from webapp.services.normalize import (
    clean_domain,
    clean_email,
    clean_linkedin_url,
    normalize_email_key,
)

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


def clean_target_client_domain(value) -> str:
    """The target client's key: its bare domain; ValidationFailed naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed({"target_client_domain": "is required"})
    try:
        return clean_domain(value)
    except ValueError as exc:
        raise ValidationFailed({"target_client_domain": str(exc)}) from None


def full_name(first: str | None, last: str | None) -> str | None:
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
    names["full_name"] = full_name(names["first_name"], names["last_name"])
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
    names["full_name"] = names["full_name"] or full_name(names["first_name"], names["last_name"])
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
    # Found means the answer's id is set: a lead linked before may keep the core company
    # it has (e.g. the person's) when this request names one core does not have.
    return Linked(
        lead.id,
        lead.core_company_id,
        lead.core_person_id,
        company_found=lead.core_company_id is not None,
        person_found=lead.core_person_id is not None,
    )
