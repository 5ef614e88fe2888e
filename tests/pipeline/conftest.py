"""A workspace wired to the sandbox provider, and a discovered company lead (issue 16's pipeline).

The `sandbox` and `smtp_server` fixtures are the shared ones (tests/sandbox_server.py).
"""

from __future__ import annotations

import pytest

from webapp.services.pipeline_settings.demo import wire_to_sandbox

RECIPIENT = "sales@example.com"
# Domains the sandbox answers with contacts (deterministic): bluepulse.com has four,
# a director first and the first valid executive second (the primary).
DOMAIN = "bluepulse.com"
SIGNALS = [
    {"signal_type": "Company researching topic", "signal_strength": "high",
     "detected_at": "2026-01-22T10:30:00Z", "source": "DataShopper"},
    {"signal_type": "Visited competitor website", "signal_strength": "high",
     "detected_at": "2026-01-21T09:00:00Z", "source": "DataShopper"},
    {"signal_type": "Company researching topic", "signal_strength": "high",
     "detected_at": "2026-01-20T08:00:00Z", "source": "G2"},
    {"signal_type": "Downloaded whitepaper", "signal_strength": "medium",
     "detected_at": "2026-01-19T08:00:00Z", "source": "DataShopper"},
]  # fmt: skip


@pytest.fixture()
def inline(app, monkeypatch):
    """Jobs run inline, whatever the backend (the worker tests use real workers)."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture()
def wired(db, factory, sandbox):
    """A workspace whose providers, delivery (e-mail API, Slack) and platforms are the sandbox."""
    workspace = factory.workspace()
    wire_to_sandbox(db.session, workspace.id, sandbox.url, RECIPIENT)
    factory.webhook_endpoint(workspace, event_types=["LeadDelivered", "LeadQualified"])
    db.session.commit()
    return workspace


def company_lead(db, factory, workspace, intent="hot", **fields):
    values = {
        "type": "company",
        "first_name": None,
        "last_name": None,
        "email": None,
        "company_name": "Blue Pulse",
        "company_domain": DOMAIN,
        "industry": "Technology",
        "employee_count": 250,
        "revenue": 10000000,
        "city": "San Francisco",
        "state": "CA",
        "country": "United States",
        "source": "discovery",
        **fields,
    }
    lead = factory.lead(workspace, **values)
    lead.intent = intent
    lead.intent_data = {"score": intent, "signals": SIGNALS, "last_updated": "2026-01-22T02:15:00Z"}
    lead.search_query = "AI automation tools"
    lead.enrichment_status = "pending"
    db.session.commit()
    return lead
