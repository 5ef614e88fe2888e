"""Saving discovered companies as leads: score, dedupe by domain, record the search.

One company from the intent provider (services' shape: name, domain, industry,
employee_count, revenue, city, state, country, linkedin_url, intent_signals) becomes
one company lead per workspace and domain. `plan_company` decides, without writing,
whether the company is new, changed or unchanged (so the caller can spend a credit
first); `save_company` writes it through the one lead input schema. The discovery job
(webapp/jobs/discovery.py) and the discover endpoint both use these.
"""

from __future__ import annotations

import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from webapp.models import Lead, Workspace
from webapp.models.base import utcnow
from webapp.models.discovery import DiscoveryQuery
from webapp.services.errors import ValidationFailed
from webapp.services.leads.input import clean_lead_fields, clean_new_lead
from webapp.services.leads.timeline import add_activity, create_lead
from webapp.services.normalize import clean_domain
from webapp.services.pipeline.scoring import Intent, intent_for, score_in_band

# Provider fields a discovered company fills on its lead (never overwriting a person's edit).
COMPANY_FIELDS = {
    "company_name": "name",
    "industry": "industry",
    "employee_count": "employee_count",
    "revenue": "revenue",
    "city": "city",
    "state": "state",
    "country": "country",
    "linkedin_url": "linkedin_url",
}


@dataclass(frozen=True)
class SearchContext:
    """What search found the company (kept on the lead)."""

    query: str
    location: str | None = None
    industry: str | None = None
    tech_stack: str | None = None
    mode: str = "company"
    discovery_query_id: uuid.UUID | None = None
    source_id: str | None = None  # the run or search id
    label: str | None = None  # the saved query's name, for the timeline


@dataclass
class Plan:
    """What saving one company would do."""

    domain: str
    values: dict  # cleaned lead fields for a new lead
    intent: Intent
    signals: list[dict]
    lead: Lead | None  # the existing lead with this domain
    action: str  # created | updated | unchanged
    filled: dict = field(default_factory=dict)  # existing lead: fields to fill


def workspace_today(session: Session, workspace_id: uuid.UUID) -> date:
    zone = session.execute(select(Workspace.timezone).where(Workspace.id == workspace_id)).scalar()
    try:
        return datetime.now(ZoneInfo(zone or "UTC")).date()
    except Exception:  # an unknown zone name: the day in UTC
        return utcnow().date()


def left_today(session: Session, query: DiscoveryQuery) -> int:
    """How many more companies the query may save today (its daily limit)."""
    if query.saved_on != workspace_today(session, query.workspace_id):
        return query.daily_limit
    return max(0, query.daily_limit - query.saved_that_day)


def count_saved(session: Session, query: DiscoveryQuery, n: int = 1) -> None:
    today = workspace_today(session, query.workspace_id)
    if query.saved_on != today:
        query.saved_on, query.saved_that_day = today, 0
    query.saved_that_day += n


def find_by_domain(session: Session, workspace_id: uuid.UUID, domain: str) -> Lead | None:
    """The workspace's lead for this company domain (a company lead first, then the oldest)."""
    return session.execute(
        select(Lead)
        .where(Lead.workspace_id == workspace_id, Lead.company_domain == domain)
        .order_by((Lead.type == "company").desc(), Lead.created_at, Lead.id)
        .limit(1)
    ).scalar()


def lock_domain(session: Session, workspace_id: uuid.UUID, domain: str) -> None:
    """Two runs saving one domain at once queue up (PostgreSQL; SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"discovery:{workspace_id}:{domain}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _signature(signals: list[dict]) -> list:
    return sorted(
        (str(s.get("signal_type")), str(s.get("signal_strength")), str(s.get("detected_at")))
        for s in signals
    )


def _plain_signals(company: dict) -> list[dict]:
    raw = company.get("intent_signals") or []
    keep = ("signal_type", "signal_strength", "detected_at", "source")
    return [{k: s.get(k) for k in keep} for s in raw if isinstance(s, dict)]


def plan_company(
    session: Session,
    workspace_id: uuid.UUID,
    company: dict,
    strengths: dict[str, str],
    context: SearchContext,
) -> Plan:
    """Check and score one company; ValidationFailed if it cannot become a lead."""
    try:
        domain = clean_domain(str(company.get("domain") or "")[:255])
    except ValueError:
        raise ValidationFailed({"domain": "is not a domain name"}) from None
    if not domain:
        raise ValidationFailed({"domain": "is required"})
    signals = _plain_signals(company)
    intent = intent_for(signals, strengths)
    data = {
        "type": "company",
        "source": "discovery",
        "company_domain": domain,
        "website": f"https://{domain}",
        "search_query": (context.query or "")[:500] or None,
        "search_mode": context.mode,
        "search_location": (context.location or "")[:255] or None,
        "search_industry": (context.industry or "")[:255] or None,
        "search_tech_stack": (context.tech_stack or "")[:500] or None,
        "source_id": context.source_id,
        "intent": intent.intent,
        "lead_score": intent.score,
        "intent_explanation": intent.explanation,
    }
    for lead_field, key in COMPANY_FIELDS.items():
        value = company.get(key)
        if value not in (None, ""):
            data[lead_field] = value if not isinstance(value, str) else value[:500]
    values = clean_new_lead(data)
    lead = find_by_domain(session, workspace_id, domain)
    if lead is None:
        return Plan(domain, values, intent, intent.signals, None, "created")
    filled = {
        name: values[name]
        for name in COMPANY_FIELDS
        if values.get(name) not in (None, "") and getattr(lead, name) in (None, "")
    }
    before = lead.intent_data or {}
    same_signals = _signature(before.get("signals") or []) == _signature(intent.signals)
    same_intent = before.get("computed_intent") == intent.intent
    action = "unchanged" if same_signals and same_intent and not filled else "updated"
    return Plan(domain, values, intent, intent.signals, lead, action, filled)


def intent_data_for(intent: Intent, override: dict | None = None) -> dict:
    data = {
        "score": intent.intent if override is None else override["intent"],
        "signals": intent.signals,
        "last_updated": utcnow().isoformat().replace("+00:00", "Z"),
        "computed_intent": intent.intent,
        "computed_score": intent.score,
        "explanation": intent.explanation,
    }
    if override is not None:
        data["override"] = override
    return data


def save_company(
    session: Session,
    workspace_id: uuid.UUID,
    plan: Plan,
    context: SearchContext,
    raw: dict | None = None,
) -> Lead | None:
    """Write the plan: a new lead, or the existing one brought up to date; None if unchanged."""
    if plan.action == "unchanged":
        return None
    if plan.lead is None:
        lead = create_lead(session, workspace_id, plan.values, raw_data=raw).lead
        lead.intent_data = intent_data_for(plan.intent)
        lead.discovery_query_id = context.discovery_query_id
        _discovered(session, lead, plan, context, "Discovered")
        return lead
    lead = plan.lead
    for name, value in clean_lead_fields(plan.filled).items():
        setattr(lead, name, value)
    override = (lead.intent_data or {}).get("override")
    lead.intent_data = intent_data_for(plan.intent, override)
    lead.intent_explanation = plan.intent.explanation
    if override:
        lead.lead_score = score_in_band(override["intent"], plan.intent.score)
    else:
        lead.intent, lead.lead_score = plan.intent.intent, plan.intent.score
    if context.discovery_query_id and lead.discovery_query_id is None:
        lead.discovery_query_id = context.discovery_query_id
    lead.updated_at = utcnow()
    _discovered(session, lead, plan, context, "Discovered again")
    return lead


def _discovered(session, lead: Lead, plan: Plan, context: SearchContext, verb: str) -> None:
    by = f" by query “{context.label}”" if context.label else ""
    add_activity(
        session,
        lead,
        "discovered",
        f"{verb}{by}: {plan.intent.explanation}",
        None,
        {
            "discovery_query_id": str(context.discovery_query_id)
            if context.discovery_query_id
            else None,
            "search_id": context.source_id,
            "intent": plan.intent.intent,
            "score": plan.intent.score,
            "filled": sorted(plan.filled),
        },
    )


def query_context(query: DiscoveryQuery, source_id: str | None) -> SearchContext:
    return SearchContext(
        query=query.topic,
        location=query.location or None,
        industry=", ".join(query.industries or []) or None,
        discovery_query_id=query.id,
        source_id=source_id,
        label=query.name,
    )


def location_filter(country=None, state=None, city=None) -> dict | None:
    """The provider's location filter: only the parts given."""
    parts = {"country": country, "state": state, "city": city}
    chosen = {k: v for k, v in parts.items() if v}
    return chosen or None
