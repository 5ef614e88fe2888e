"""Everything the lead page shows about one lead, gathered in one place."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import (
    Campaign,
    CampaignLead,
    CoreCompany,
    CorePerson,
    Lead,
    LeadActivity,
    LeadList,
    LeadListMember,
)
from webapp.models.crm import Account, Contact
from webapp.services.accounts.users import workspace_members
from webapp.services.leads.duplicates import find_lead_duplicates
from webapp.services.leads.edit import INLINE_FIELDS

TIMELINE_LIMIT = 200
# The lead's fields as the page groups them; "How it was found" (_origin.html) holds
# ORIGIN_FIELDS, so the search context is shown once, there.
FIELD_GROUPS = (
    (
        "Contact",
        (
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "job_title",
            "linkedin_url",
            "city",
            "state",
            "country",
        ),
    ),
    (
        "Company",
        (
            "company_name",
            "company_domain",
            "website",
            "industry",
            "employee_count",
            "revenue",
            "headquarters",
        ),
    ),
    ("Qualification", ("type", "intent", "notes")),  # score and why: lead/_intent.html
)
ORIGIN_FIELDS = (
    "source",
    "source_id",
    "message",
    "search_query",
    "search_mode",
    "search_location",
    "search_industry",
    "search_tech_stack",
)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def split_filled(lead: Lead, field_names) -> tuple[list[str], list[str]]:
    """The fields that hold a value, and those that are empty (folded away on the page)."""
    filled = [f for f in field_names if not is_blank(getattr(lead, f))]
    return filled, [f for f in field_names if f not in filled]


def page_context(session: Session, lead: Lead, workspace_id: uuid.UUID) -> dict:
    timeline = (
        session.execute(
            select(LeadActivity)
            .where(LeadActivity.lead_id == lead.id)
            .order_by(LeadActivity.created_at.desc(), LeadActivity.id.desc())
            .limit(TIMELINE_LIMIT)
        )
        .scalars()
        .all()
    )
    lists = session.execute(
        select(LeadList, LeadListMember.added_at)
        .join(LeadListMember)
        .where(LeadListMember.lead_id == lead.id, LeadList.workspace_id == workspace_id)
        .order_by(LeadList.name)
    ).all()
    lists += _dynamic_lists_with(session, lead, workspace_id)
    campaigns = session.execute(
        select(Campaign, CampaignLead)
        .join(CampaignLead, CampaignLead.campaign_id == Campaign.id)
        .where(CampaignLead.lead_id == lead.id, Campaign.workspace_id == workspace_id)
        .order_by(Campaign.name)
    ).all()
    return {
        "lead": lead,
        "inline_fields": INLINE_FIELDS,
        "field_groups": [(title, *split_filled(lead, names)) for title, names in FIELD_GROUPS],
        "origin_fields": split_filled(lead, ORIGIN_FIELDS),
        "timeline": timeline,
        "members": workspace_members(session, workspace_id, active_only=True),
        "lists": lists,
        "campaigns": campaigns,
        "core_company": session.get(CoreCompany, lead.core_company_id)
        if lead.core_company_id
        else None,
        "core_person": session.get(CorePerson, lead.core_person_id)
        if lead.core_person_id
        else None,
        "contact": _in_workspace(session, Contact, lead.converted_contact_id, workspace_id),
        "account": _in_workspace(session, Account, lead.converted_account_id, workspace_id),
        "duplicates": find_lead_duplicates(session, lead),
    }


DYNAMIC_LISTS_CHECKED = 50  # the lead page asks at most this many dynamic lists


def _dynamic_lists_with(session: Session, lead: Lead, workspace_id: uuid.UUID) -> list:
    """The workspace's (active) dynamic lists whose criteria the lead meets now."""
    from webapp.services.lists.membership import member_ids

    dynamic = session.execute(
        select(LeadList)
        .where(
            LeadList.workspace_id == workspace_id,
            LeadList.list_type == "dynamic",
            LeadList.is_archived.is_(False),
        )
        .order_by(LeadList.name)
        .limit(DYNAMIC_LISTS_CHECKED)
    ).scalars()
    return [
        (lead_list, None)
        for lead_list in dynamic
        if session.execute(member_ids(lead_list).where(Lead.id == lead.id).limit(1)).first()
    ]


def _in_workspace(session: Session, model, row_id: uuid.UUID | None, workspace_id: uuid.UUID):
    """The workspace's contact or account with this id; None if unset or not the workspace's."""
    if row_id is None:
        return None
    return session.execute(
        select(model).where(model.id == row_id, model.workspace_id == workspace_id)
    ).scalar()
