"""Leads and activities as the API's declared response bodies (webapp.api.schemas)."""

from __future__ import annotations

from webapp.api.schemas import Activity, LeadDetail, LeadSummary
from webapp.models import Lead, LeadActivity


def _summary_fields(lead: Lead) -> dict:
    return {
        "id": lead.id,
        "name": lead.display_name,
        "email": lead.email,
        "phone": lead.phone,
        "company": lead.company_name,
        "status": lead.status,
        "source": lead.source,
        "priority": lead.priority,
        "assigned_to": lead.assigned_to_id,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
    }


def lead_summary(lead: Lead) -> LeadSummary:
    return LeadSummary(**_summary_fields(lead))


def activity_body(activity: LeadActivity) -> Activity:
    return Activity(
        id=activity.id,
        lead_id=activity.lead_id,
        activity_type=activity.activity_type,
        description=activity.description,
        performed_by=activity.performed_by_id,
        created_at=activity.created_at,
    )


def lead_detail(lead: Lead, activities: list[LeadActivity], activities_total: int) -> LeadDetail:
    return LeadDetail(
        **_summary_fields(lead),
        type=lead.type,
        first_name=lead.first_name,
        last_name=lead.last_name,
        message=lead.message,
        job_title=lead.job_title,
        company_domain=lead.company_domain,
        website=lead.website,
        linkedin_url=lead.linkedin_url,
        city=lead.city,
        state=lead.state,
        country=lead.country,
        industry=lead.industry,
        employee_count=lead.employee_count,
        lead_score=lead.lead_score,
        intent=lead.intent,
        tags=[tag.name for tag in lead.tags],
        closed_at=lead.closed_at,
        last_activity_at=lead.last_activity_at,
        activities=[activity_body(a) for a in activities],
        activities_total=activities_total,
    )
