"""Converting a lead ("import" in docs/contracts.md#lead-storage) into a contact and an account."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.base import utcnow
from webapp.models.crm import Account, Contact
from webapp.services.errors import ValidationFailed
from webapp.services.leads.timeline import add_activity
from webapp.services.normalize import clean_domain, normalize_email_key


@dataclass
class Conversion:
    contact: Contact | None
    account: Account | None
    contact_created: bool
    account_created: bool
    already: bool = False


# Addresses anyone can open: their domain says nothing about the company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "ymail.com",
        "rocketmail.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
        "aol.com",
        "aim.com",
        "mail.com",
        "email.com",
        "web.de",
        "t-online.de",
        "freenet.de",
        "mail.ru",
        "ya.ru",
        "zoho.com",
        "zohomail.com",
        "tutanota.com",
        "tuta.io",
        "fastmail.com",
        "hey.com",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "libero.it",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "comcast.net",
        "verizon.net",
        "att.net",
        "btinternet.com",
    }
)
# Providers that are free mail under every country's domain: gmx.de, yahoo.co.uk, hotmail.fr.
FREE_MAIL_BRANDS = re.compile(r"^(gmx|yahoo|hotmail|outlook|live|yandex)(\.[a-z]{2,3}){1,2}$")


def business_email_domain(email: str | None) -> str | None:
    """The domain of a company address; None for free mail or no (valid) email."""
    try:
        domain = clean_domain(email) if email and "@" in email else None
    except ValueError:
        return None
    if domain is None or domain in FREE_MAIL_DOMAINS or FREE_MAIL_BRANDS.match(domain):
        return None
    return domain


def _account_by_domain(
    session: Session, workspace_id, domain: str, *, or_related: bool = False
) -> Account | None:
    """The account of `domain`. With `or_related` (an email's domain), else the account of
    the nearest domain above it, else of one below it: mail.initech.com and initech.com
    are one company, whichever of them was converted first."""
    if not or_related:
        same = Account.domain == domain
    else:
        labels = domain.split(".")
        above = [".".join(labels[i:]) for i in range(len(labels) - 1)]  # itself included
        same = or_(
            Account.domain.in_(above), Account.domain.endswith(f".{domain}", autoescape=True)
        )
    found = session.execute(select(Account).where(Account.workspace_id == workspace_id, same))

    def nearness(account: Account) -> tuple:  # itself, then up the domain, then down it
        below = account.domain.endswith(f".{domain}")
        return (below, len(account.domain) if below else -len(account.domain))

    return min(found.scalars(), key=nearness, default=None)


def _account_by_name(
    session: Session, workspace_id, name: str, *, without_domain: bool
) -> Account | None:
    """The workspace's oldest account of that name (trimmed, any case)."""
    # lower() and trim() on both sides: the database folds case its own way (SQLite only ASCII).
    query = select(Account).where(
        Account.workspace_id == workspace_id,
        func.lower(func.trim(Account.name)) == func.lower(func.trim(literal(name))),
    )
    if without_domain:
        query = query.where(Account.domain.is_(None))
    return session.execute(query.order_by(Account.created_at, Account.id).limit(1)).scalar()


def _find_or_create_account(session: Session, lead: Lead) -> tuple[Account | None, bool]:
    """The account by domain (the company's, else a business email's), else by company name.

    The email stands in only for a lead that names its company: a person known by
    email alone converts to a contact, as before.
    """
    company_name = (lead.company_name or "").strip() or None
    domain = lead.company_domain or (business_email_domain(lead.email) if company_name else None)
    if not (company_name or domain):
        return None, False
    if domain:
        from_email = not lead.company_domain
        found = _account_by_domain(session, lead.workspace_id, domain, or_related=from_email)
        if found is None and company_name:
            # One made earlier from a lead without a domain (a free-mail address): it is
            # this company's, so it takes the domain rather than getting a twin.
            found = _account_by_name(session, lead.workspace_id, company_name, without_domain=True)
            if found is not None:
                found.domain = domain
    else:
        found = _account_by_name(session, lead.workspace_id, company_name, without_domain=False)
    if found is not None:
        return found, False
    account = Account(
        workspace_id=lead.workspace_id,
        name=company_name or domain.split(".")[0].title(),
        domain=domain,
        website=lead.website,
        industry=lead.industry,
        employee_count=lead.employee_count,
        created_from_lead_id=lead.id,
    )
    session.add(account)
    session.flush()
    return account, True


def _find_or_create_contact(session: Session, lead: Lead, account) -> tuple[Contact | None, bool]:
    if lead.type == "company":
        return None, False
    key = normalize_email_key(lead.email)
    if key:
        found = session.execute(
            select(Contact).where(
                Contact.workspace_id == lead.workspace_id, Contact.email_normalized == key
            )
        ).scalar()
        if found is not None:
            if found.account_id is None and account is not None:
                found.account_id = account.id
            return found, False
    contact = Contact(
        workspace_id=lead.workspace_id,
        account_id=account.id if account else None,
        first_name=lead.first_name,
        last_name=lead.last_name,
        full_name=lead.display_name,
        email=lead.email,
        email_normalized=key,
        phone=lead.phone,
        job_title=lead.job_title,
        created_from_lead_id=lead.id,
    )
    session.add(contact)
    session.flush()
    return contact, True


def convert_lead(session: Session, lead: Lead, performed_by_id) -> Conversion:
    """Create, or link to, the workspace's contact (by email) and account.

    The account is matched by the company domain (or, without one, the domain of a
    business email), else by company name.

    Converting again changes nothing. The caller commits.
    """
    if lead.converted_at is not None:
        contact = (
            session.get(Contact, lead.converted_contact_id) if lead.converted_contact_id else None
        )
        account = (
            session.get(Account, lead.converted_account_id) if lead.converted_account_id else None
        )
        return Conversion(contact, account, False, False, already=True)
    account, account_created = _find_or_create_account(session, lead)
    contact, contact_created = _find_or_create_contact(session, lead, account)
    if contact is None and account is None:
        raise ValidationFailed({"company_name": "a company lead needs a company name or domain"})
    lead.converted_at = utcnow()
    lead.converted_contact_id = contact.id if contact else None
    lead.converted_account_id = account.id if account else None
    parts = []
    if contact:
        state = "new" if contact_created else "existing"
        parts.append(f"{state} contact {contact.full_name or contact.email}")
    if account:
        parts.append(f"{'new' if account_created else 'existing'} account {account.name}")
    add_activity(
        session,
        lead,
        "converted",
        "Converted to " + " and ".join(parts),
        performed_by_id,
        {
            "contact_id": str(contact.id) if contact else None,
            "account_id": str(account.id) if account else None,
            "contact_created": contact_created,
            "account_created": account_created,
        },
    )
    return Conversion(contact, account, contact_created, account_created)
