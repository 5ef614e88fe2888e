"""Leads, activities and job runs as the API's declared response bodies (webapp.api.schemas)."""

from __future__ import annotations

from webapp.api import schemas
from webapp.api.schemas import Activity, LeadDetail, LeadSummary
from webapp.models import JobRun, Lead, LeadActivity


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


def job_run_body(run: JobRun, url: str) -> schemas.JobRun:
    """A run as every "run started" answer shows it; `url` is where to poll it."""
    return schemas.JobRun(
        run_id=run.id,
        kind=run.kind,
        status=run.status,
        subject_type=run.subject_type,
        subject_id=run.subject_id,
        counts=run.counts or {},
        message=run.message,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        url=url,
    )
