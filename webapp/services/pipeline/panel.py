"""What the lead page's pipeline panel shows about one lead, gathered in one place."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.enrichment import CHANNELS
from webapp.services.jobs.runs import latest_run
from webapp.services.pipeline.delivery import CHANNEL_LABELS, UPLOADED_INTENTS, lead_deliveries
from webapp.services.pipeline.enrichment import SKIP_REASONS, lead_contacts
from webapp.services.pipeline.upload import latest_upload

PIPELINE_KINDS = ("pipeline.enrich", "pipeline.deliver", "pipeline.upload")


def signal_summary(lead: Lead) -> dict:
    """Counts of the lead's intent signals by strength, and the signal types, strongest first."""
    signals = [s for s in ((lead.intent_data or {}).get("signals") or []) if isinstance(s, dict)]
    counts = {"high": 0, "medium": 0, "low": 0}
    for signal in signals:
        strength = str(signal.get("signal_strength") or "").lower()
        if strength in counts:
            counts[strength] += 1
    order = {"high": 0, "medium": 1, "low": 2}
    ranked = sorted(signals, key=lambda s: order.get(str(s.get("signal_strength")).lower(), 3))
    return {"total": len(signals), "counts": counts, "signals": ranked}


def _discovery_query_name(session: Session, lead: Lead) -> str | None:
    query_id = getattr(lead, "discovery_query_id", None)  # the discovery branch's column
    if query_id is None:
        return None
    try:
        from webapp.models.discovery import DiscoveryQuery
    except ImportError:
        return None
    query = session.get(DiscoveryQuery, query_id)
    return getattr(query, "name", None) or getattr(query, "topic", None) if query else None


def pipeline_panel(
    session: Session,
    lead: Lead,
    user_id: uuid.UUID | None = None,
    within: timedelta | None = None,
) -> dict:
    deliveries = lead_deliveries(session, lead.id)
    started = lead.enrichment_started_at
    finished = lead.enrichment_completed_at
    seconds = (finished - started).total_seconds() if started and finished else None
    return {
        "query_name": _discovery_query_name(session, lead),
        "signals": signal_summary(lead),
        "contacts": lead_contacts(session, lead.id),
        "skip_text": SKIP_REASONS.get(lead.enrichment_skip_reason or ""),
        "enrichment_seconds": seconds,
        "channels": [(c, CHANNEL_LABELS[c], deliveries.get(c)) for c in CHANNELS],
        "upload": latest_upload(session, lead),
        "uploadable": lead.intent in UPLOADED_INTENTS,
        "run": latest_run(
            session,
            lead.workspace_id,
            PIPELINE_KINDS,
            subject=("lead", lead.id),
            started_by=user_id,
            within=within,
        )
        if user_id is not None
        else None,
    }
