"""Uploading hot and warm leads to their industry's platform, in batches (docs/contracts.md#upload).

A lead is due for upload once delivery marked it (`upload_requested_at`), while it
is hot or warm and not uploaded. The upload job of one lead takes every lead of the
workspace due for the same platform, up to the route's batch size, and sends them in
one request (rate limited per platform by the provider). Each accepted lead records
`uploaded`, `uploaded_at`, `upload_platform`, an `uploaded` activity and one billing
event; every batch writes one row of the upload log. On PostgreSQL the due leads are
locked (SKIP LOCKED), so two workers never upload the same lead at once.

A worker killed in the middle of the platform's request leaves the leads not
uploaded; the retry sends them again (at least once: the platform dedupes by `id`).
Nothing here commits.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.base import utcnow
from webapp.models.enrichment import BillingEvent, PlatformUpload
from webapp.services.events.outbox import iso
from webapp.services.leads.timeline import add_activity
from webapp.services.pipeline.delivery import UPLOADED_INTENTS
from webapp.services.pipeline.enrichment import lead_contacts

BILLING_KIND = "platform_upload"


def _settings():
    from webapp.services import pipeline_settings

    return pipeline_settings


def route_for(session: Session, lead: Lead):
    return _settings().platform_route_for(session, lead.workspace_id, lead.industry)


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def upload_payload(session: Session, lead: Lead) -> dict:
    """The lead in the seed's "Platform Upload Format", exactly those keys."""
    signals = ((lead.intent_data or {}).get("signals")) or []
    contacts = lead_contacts(session, lead.id)
    primary = next((c for c in contacts if c.is_primary), None)
    return {
        "id": str(lead.id),
        "company_name": lead.company_name,
        "domain": lead.company_domain,
        "industry": lead.industry,
        "employee_count": lead.employee_count,
        "revenue": _number(lead.revenue),
        "location": {"city": lead.city, "state": lead.state, "country": lead.country},
        "intent_score": lead.intent,
        "intent_signals": [
            {
                "signal_type": s.get("signal_type"),
                "signal_strength": s.get("signal_strength"),
                "detected_at": s.get("detected_at"),
                "source": s.get("source"),
            }
            for s in signals
            if isinstance(s, dict)
        ],
        "contacts": [
            {
                "full_name": c.full_name,
                "email": c.email,
                "title": c.title,
                "seniority": c.seniority,
                "department": c.department,
            }
            for c in contacts
        ],
        "primary_contact": (
            {"full_name": primary.full_name, "email": primary.email, "title": primary.title}
            if primary is not None
            else None
        ),
        "created_at": iso(lead.created_at),
        "enriched_at": iso(lead.enrichment_completed_at) if lead.enrichment_completed_at else None,
    }


def _due(workspace_id: uuid.UUID):
    return select(Lead).where(
        Lead.workspace_id == workspace_id,
        Lead.uploaded.is_(False),
        Lead.upload_requested_at.is_not(None),
        Lead.intent.in_(UPLOADED_INTENTS),
    )


def _routed_to(session: Session, workspace_id: uuid.UUID, route):
    """SQL for "a lead whose industry routes to `route`'s platform" (platform_route_for's rule:
    an active route of its industry, else the Default route)."""
    from webapp.services.pipeline_settings import platform_routes

    routes = [r for r in platform_routes(session, workspace_id) if r.active and not r.is_default]
    mine = [r.industry.strip().lower() for r in routes if r.platform_name == route.platform_name]
    others = [r.industry.strip().lower() for r in routes if r.platform_name != route.platform_name]
    industry = func.lower(func.trim(func.coalesce(Lead.industry, "")))
    if not route.is_default:
        return industry.in_(mine)
    falls_back = industry.not_in(others) if others else true()
    return or_(falls_back, industry.in_(mine)) if mine else falls_back


def due_batch(session: Session, lead: Lead, route) -> list[Lead]:
    """The leads due for `route`'s platform (this one first), at most its batch size.

    On PostgreSQL the rows are locked, skipping those another upload holds, so two
    workers never send the same lead at once (the other's batch includes it).
    """
    size = max(1, int(route.batch_size or 1))
    query = (
        _due(lead.workspace_id)
        .where(_routed_to(session, lead.workspace_id, route))
        .order_by((Lead.id == lead.id).desc(), Lead.upload_requested_at, Lead.id)
        .limit(size)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Lead)
    return list(session.execute(query).scalars())


def record_upload(
    session: Session, route, leads: list[Lead], results: list[dict]
) -> PlatformUpload:
    """Mark the accepted leads uploaded (with a billing event each) and log the batch."""
    now = utcnow()
    by_id = {str(r.get("id")): r for r in results}
    accepted, rejected = [], []
    for lead in leads:
        result = by_id.get(str(lead.id), {"status": "accepted"})
        (accepted if result.get("status") == "accepted" else rejected).append((lead, result))
    log = PlatformUpload(
        workspace_id=leads[0].workspace_id,
        platform=route.platform_name,
        lead_ids=[str(lead.id) for lead in leads],
        lead_count=len(leads),
        status="succeeded" if accepted else "failed",
        response_code=200,
        error="; ".join(f"{lead.id}: {r.get('error') or 'rejected'}" for lead, r in rejected)[:1000]
        or None,
        created_at=now,
    )
    session.add(log)
    session.flush()
    for lead, _result in accepted:
        lead.uploaded = True
        lead.uploaded_at = now
        lead.upload_platform = route.platform_name
        lead.upload_error = None
        session.add(
            BillingEvent(
                workspace_id=lead.workspace_id,
                kind=BILLING_KIND,
                lead_id=lead.id,
                platform=route.platform_name,
                upload_id=log.id,
                units=1,
                created_at=now,
            )
        )
        add_activity(
            session,
            lead,
            "uploaded",
            f"Uploaded to {route.platform_name}.",
            data={"platform": route.platform_name, "upload_id": str(log.id)},
        )
    for lead, result in rejected:
        lead.upload_platform = route.platform_name
        lead.upload_error = (result.get("error") or "Rejected by the platform")[:1000]
    return log


def record_failed_upload(
    session: Session, route_name: str, workspace_id, lead_ids: list, status: int | None, error: str
) -> PlatformUpload:
    """A batch the platform refused (or never answered): one failed row in the upload log."""
    log = PlatformUpload(
        workspace_id=workspace_id,
        platform=route_name,
        lead_ids=[str(i) for i in lead_ids],
        lead_count=len(lead_ids),
        status="failed",
        response_code=status,
        error=error[:1000],
        created_at=utcnow(),
    )
    session.add(log)
    for lead_id in lead_ids:
        lead = session.get(Lead, lead_id)
        if lead is not None:
            lead.upload_platform = route_name
            lead.upload_error = error[:1000]
    return log


def latest_upload(session: Session, lead: Lead) -> PlatformUpload | None:
    """The newest upload log row naming this lead (the lead page's "Upload" line)."""
    rows = session.execute(
        select(PlatformUpload)
        .where(PlatformUpload.workspace_id == lead.workspace_id)
        .order_by(PlatformUpload.created_at.desc())
        .limit(200)
    ).scalars()
    return next((row for row in rows if str(lead.id) in (row.lead_ids or [])), None)
