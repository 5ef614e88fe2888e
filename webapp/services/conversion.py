"""Converting a lead ("import" in seed 002) into a contact and an account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.base import utcnow
from webapp.models.crm import Account, Contact
from webapp.services.errors import ValidationFailed
from webapp.services.leads import add_activity
from webapp.services.normalize import normalize_email_key


@dataclass
class Conversion:
    contact: Contact | None
    account: Account | None
    contact_created: bool
    account_created: bool
    already: bool = False


def _find_or_create_account(session: Session, lead: Lead) -> tuple[Account | None, bool]:
    name = lead.company_name or (lead.company_domain or "").split(".")[0].title() or None
    if not (name or lead.company_domain):
        return None, False
    if lead.company_domain:
        found = session.execute(
            select(Account).where(
                Account.workspace_id == lead.workspace_id, Account.domain == lead.company_domain
            )
        ).scalar()
        if found is not None:
            return found, False
    account = Account(
        workspace_id=lead.workspace_id,
        name=name or lead.company_domain,
        domain=lead.company_domain,
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
    """Create, or link to, the workspace's contact (by email) and account (by domain).

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
