"""Enriching a lead: who to talk to at its company (docs/contracts.md#enrichment).

A lead is enriched when it names a valid company domain and enough about the
company; otherwise it is skipped with the reason recorded (SKIP_REASONS). The
contact provider is asked for up to CONTACT_LIMIT people filtered by TITLES and
SENIORITIES; each e-mail is verified; the people are stored as the lead's contacts
(once per e-mail), copied into the shared core companies and people, and the most
senior one with a valid e-mail becomes the primary contact.

The HTTP calls happen outside any transaction (`find_contacts`), and the credit is
spent with the contacts' insert (`store_enrichment`), so a failed or killed attempt
spends nothing and stores nothing. Nothing here commits.
"""

from __future__ import annotations

import ipaddress
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.models import CoreCompany, CorePerson, Lead
from webapp.models.base import utcnow
from webapp.models.enrichment import LeadContact
from webapp.services.leads.timeline import add_activity
from webapp.services.normalize import clean_domain, clean_email
from webapp.services.pipeline.credits import credits_of, spend
from webapp.services.races import inserted_first

TITLES = ("CEO", "CTO", "VP", "Director")
SENIORITIES = ("executive", "director")
CONTACT_LIMIT = 5
ENRICHMENT_COST = 1  # credits per lead enriched
# Seniority order for the primary contact: the first valid e-mail in this order wins.
SENIORITY_RANK = {"executive": 0, "c_suite": 0, "owner": 0, "vp": 1, "director": 2, "manager": 3}
USABLE_EMAIL_STATUSES = ("valid",)

# Why a lead is not enriched (stored in leads.enrichment_skip_reason).
SKIP_NO_DOMAIN = "no_domain"
SKIP_INVALID_DOMAIN = "invalid_domain"
SKIP_INCOMPLETE = "incomplete_company"
SKIP_REASONS = {
    SKIP_NO_DOMAIN: "No company domain (nor a website to take it from)",
    SKIP_INVALID_DOMAIN: "The company domain is not a valid public domain name",
    SKIP_INCOMPLETE: "Incomplete company data: needs the company name and its industry, "
    "size or country",
}
# Domains of mailbox providers and placeholders: a company is never "gmail.com".
NOT_COMPANY_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "aol.com",
        "icloud.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
        "example.com",
        "example.org",
        "example.net",
        "localhost",
    }
)


def _domain_sources(lead: Lead) -> list[str]:
    return [v for v in (lead.company_domain, lead.website) if v and v.strip()]


def company_domain(lead: Lead) -> str | None:
    """The lead's company domain, else its website's host, cleaned; None when it has
    neither or the first one given is not a domain name."""
    sources = _domain_sources(lead)
    if not sources:
        return None
    try:
        return clean_domain(sources[0])
    except ValueError:
        return None


def skip_reason(lead: Lead) -> str | None:
    """Why this lead is not enriched, or None when it may be.

    Valid domain: a public host name (letters, digits, hyphens, a dot and a TLD), not
    an IP address, not a mailbox provider (gmail.com…) nor a reserved example domain.
    Complete company data: a company name, and at least one of industry, employee
    count or country — enough for the contact provider and the platform route.
    """
    if not _domain_sources(lead):
        return SKIP_NO_DOMAIN
    domain = company_domain(lead)
    if domain is None or _not_a_company_domain(domain):
        return SKIP_INVALID_DOMAIN
    if not (lead.company_name or "").strip():
        return SKIP_INCOMPLETE
    if not ((lead.industry or "").strip() or lead.employee_count or (lead.country or "").strip()):
        return SKIP_INCOMPLETE
    return None


def _not_a_company_domain(domain: str) -> bool:
    try:
        ipaddress.ip_address(domain)
        return True
    except ValueError:
        pass
    if "." not in domain or domain.rsplit(".", 1)[1].isdigit():
        return True
    return any(domain == d or domain.endswith("." + d) for d in NOT_COMPANY_DOMAINS)


def credits_left(session: Session, workspace_id: uuid.UUID) -> int:
    return credits_of(session, workspace_id).left


def begin_enrichment(lead: Lead) -> str | None:
    """Mark the lead running (or skipped); returns the skip reason, None to go on."""
    now = utcnow()
    lead.enrichment_started_at = now
    lead.enrichment_error = None
    reason = skip_reason(lead)
    if reason is not None:
        lead.enrichment_status = "skipped"
        lead.enrichment_skip_reason = reason
        lead.enrichment_completed_at = now
        return reason
    lead.enrichment_status = "running"
    lead.enrichment_skip_reason = None
    lead.enrichment_completed_at = None
    return None


def record_skip(session: Session, lead: Lead, reason: str) -> None:
    add_activity(
        session,
        lead,
        "enriched",
        f"Enrichment skipped: {SKIP_REASONS[reason]}.",
        data={"skipped": reason},
    )


@dataclass(frozen=True)
class FoundContact:
    full_name: str | None
    first_name: str | None
    last_name: str | None
    email: str
    email_status: str
    title: str | None
    seniority: str | None
    department: str | None
    linkedin_url: str | None
    phone: str | None


def find_contacts(session: Session, workspace_id: uuid.UUID, domain: str, company_name=None):
    """Ask the contact provider for people at `domain` and verify their e-mails (HTTP only).

    Raises the provider's errors (ProviderError, ProviderNotConfigured) for the job to retry.
    """
    from webapp.providers.config import provider_config
    from webapp.providers.contacts import enrich_company

    config = provider_config(session, workspace_id, "contacts")
    session.rollback()  # the settings read ends here: no transaction waits on HTTP
    people = enrich_company(
        config,
        domain,
        titles=TITLES,
        seniorities=SENIORITIES,
        limit=CONTACT_LIMIT,
        company_name=company_name,
    )
    people_by_email: dict[str, dict] = {}
    seen: set[str] = set()
    for person in people[:CONTACT_LIMIT]:
        try:
            email = clean_email(person.get("email"))
        except ValueError:
            email = None
        if not email or email.lower() in seen:
            continue  # a contact without a usable e-mail is no contact for delivery
        seen.add(email.lower())
        people_by_email[email] = person
    statuses = _verified(config, list(people_by_email))
    return [
        FoundContact(
            full_name=_text(person.get("full_name"), 255),
            first_name=_text(person.get("first_name"), 120),
            last_name=_text(person.get("last_name"), 120),
            email=email,
            email_status=statuses[email],
            title=_text(person.get("title"), 255),
            seniority=_text((person.get("seniority") or "").lower(), 64),
            department=_text(person.get("department"), 64),
            linkedin_url=_text(person.get("linkedin_url"), 500),
            phone=_text(person.get("phone"), 32),
        )
        for email, person in people_by_email.items()
    ]


def _verified(config, emails: list[str]) -> dict[str, str]:
    """Each e-mail's verification status, the provider asked for all of them at once.

    A verification is a round trip each (a real provider's take a few hundred ms): side
    by side, a lead's five cost about one. The first failure is raised, as one by one.
    """
    from flask import current_app

    from webapp.providers.contacts import verify_email

    if not emails:
        return {}
    app = current_app._get_current_object()

    def verify(email: str) -> str:
        with app.app_context():  # the outbound guard reads the app's settings
            return verify_email(config, email)["status"]

    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        return dict(zip(emails, pool.map(verify, emails), strict=True))


def _text(value, limit: int) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:limit] or None


def primary_choice(contacts: list) -> object | None:
    """The most senior contact with a valid e-mail (ties: the provider's order)."""
    usable = [c for c in contacts if c.email_status in USABLE_EMAIL_STATUSES]
    if not usable:
        return None
    return min(
        enumerate(usable),
        key=lambda pair: (SENIORITY_RANK.get(pair[1].seniority or "", 9), pair[0]),
    )[1]


def store_enrichment(session: Session, lead: Lead, found: list[FoundContact]) -> list[LeadContact]:
    """Spend the credit, store the contacts (once per e-mail), core rows, primary, status.

    Raises CreditsExhausted (from the credits service) before anything is written. The
    rows are written together: one query for the core people, one insert for the new
    ones, the contacts with the commit.
    """
    spend(session, lead.workspace_id, ENRICHMENT_COST, "enrichment")
    with session.no_autoflush:
        company = upsert_core_company(session, lead)
        if company is not None and lead.core_company_id is None:
            lead.core_company_id = company.id
        existing = {
            c.email.lower(): c
            for c in session.execute(select(LeadContact).where(LeadContact.lead_id == lead.id))
            .scalars()
            .all()
        }
        core_people = upsert_core_people(session, company, found)
        for person in found:
            contact = existing.get(person.email.lower())
            if contact is None:
                contact = LeadContact(workspace_id=lead.workspace_id, lead_id=lead.id)
                session.add(contact)
                existing[person.email.lower()] = contact
            for name, value in person.__dict__.items():
                if value is not None or name == "email_status":
                    setattr(contact, name, value)
            core_person = core_people.get(person.email)
            contact.core_person_id = core_person.id if core_person is not None else None
        contacts = list(existing.values())
        primary = primary_choice(contacts)
        for contact in contacts:
            contact.is_primary = contact is primary
    if primary is not None and primary.core_person_id and lead.core_person_id is None:
        lead.core_person_id = primary.core_person_id
    now = utcnow()
    lead.enrichment_status = "completed"
    lead.enrichment_completed_at = now
    lead.enrichment_error = None
    seconds = (
        (now - lead.enrichment_started_at).total_seconds() if lead.enrichment_started_at else None
    )
    found_text = f"{len(found)} contact{'' if len(found) == 1 else 's'} found"
    if primary is not None:
        found_text += f"; primary: {primary.full_name or primary.email}"
    add_activity(
        session,
        lead,
        "enriched",
        f"Enriched: {found_text}.",
        data={"contacts": len(found), "seconds": seconds},
    )
    return contacts


def fail_enrichment(lead: Lead, error: str, final: bool) -> None:
    """Record a failed attempt: `failed` when no retry is left, else back to pending."""
    lead.enrichment_status = "failed" if final else "pending"
    lead.enrichment_error = error[:1000]
    if final:
        lead.enrichment_completed_at = utcnow()


def _nested_insert(session: Session, row, find):
    """Insert a shared core row, or take the one another worker inserted meanwhile."""
    return row if inserted_first(session, [row]) else find()


def _fill(row, values) -> None:
    """Fill the row's empty columns from `values`; what it knows already stays."""
    for column, value in values:
        if getattr(row, column) in (None, "") and value not in (None, ""):
            setattr(row, column, value)


def upsert_core_company(session: Session, lead: Lead) -> CoreCompany | None:
    domain = company_domain(lead)
    if not domain:
        return None

    def find():
        return session.execute(select(CoreCompany).where(CoreCompany.domain == domain)).scalar()

    values = (
        ("name", lead.company_name),
        ("industry", lead.industry),
        ("employee_count", lead.employee_count),
        ("city", lead.city),
        ("country", lead.country),
    )
    company = find()
    if company is None:
        company = CoreCompany(domain=domain)
        _fill(company, values)  # inserted complete: no update after the insert
        company = _nested_insert(session, company, find)
    _fill(company, values)
    return company


def _person_values(company: CoreCompany | None, person: FoundContact):
    return (
        ("full_name", person.full_name),
        ("email", person.email),
        ("linkedin_url", person.linkedin_url),
        ("title", person.title),
        ("seniority", person.seniority),
        ("department", person.department),
        ("core_company_id", company.id if company is not None else None),
    )


def upsert_core_people(
    session: Session, company: CoreCompany | None, people: list[FoundContact]
) -> dict[str, CorePerson]:
    """The core person of each of `people` (by LinkedIn URL, else e-mail), keyed by e-mail.

    One query finds those known; the others are inserted in one statement. When another
    worker inserted one of them meanwhile, each is taken or inserted on its own instead.
    """
    if not people:
        return {}
    urls = [p.linkedin_url for p in people if p.linkedin_url]
    known = (
        session.execute(
            select(CorePerson).where(
                or_(
                    CorePerson.email.in_([p.email for p in people]),
                    CorePerson.linkedin_url.in_(urls),
                )
            )
        )
        .scalars()
        .all()
    )
    by_url = {c.linkedin_url: c for c in known if c.linkedin_url}
    by_email = {c.email: c for c in known if c.email}
    chosen: dict[str, CorePerson] = {}
    new: list[CorePerson] = []
    for person in people:
        core = (by_url.get(person.linkedin_url) if person.linkedin_url else None) or by_email.get(
            person.email
        )
        if core is None:
            core = CorePerson()
            new.append(core)
            if person.linkedin_url:
                by_url[person.linkedin_url] = core
            by_email[person.email] = core
        chosen[person.email] = core
        _fill(core, _person_values(company, person))
    if new and not inserted_first(session, new):
        return {p.email: upsert_core_person(session, company, p) for p in people}
    return chosen


def upsert_core_person(
    session: Session, company: CoreCompany | None, person: FoundContact
) -> CorePerson | None:
    def find():
        if person.linkedin_url:
            found = session.execute(
                select(CorePerson).where(CorePerson.linkedin_url == person.linkedin_url)
            ).scalar()
            if found is not None:
                return found
        return session.execute(
            select(CorePerson).where(CorePerson.email == person.email).limit(1)
        ).scalar()

    core = find()
    if core is None:
        core = CorePerson()
        _fill(core, _person_values(company, person))
        core = _nested_insert(session, core, find)
    _fill(core, _person_values(company, person))
    return core


def lead_contacts(session: Session, lead_id: uuid.UUID) -> list[LeadContact]:
    """The lead's contacts, primary first, then by seniority."""
    contacts = (
        session.execute(
            select(LeadContact)
            .where(LeadContact.lead_id == lead_id)
            .order_by(LeadContact.created_at, LeadContact.email)
        )
        .scalars()
        .all()
    )
    return sorted(
        contacts, key=lambda c: (not c.is_primary, SENIORITY_RANK.get(c.seniority or "", 9))
    )
