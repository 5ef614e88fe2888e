"""Discover (seed 002): search the intent provider now, and save the results if asked.

Used by `POST /api/leads/discover` and the Pipeline → Discover page. With `save`
false nothing is stored. Saving keeps the first lead of each company domain: a company
whose domain the workspace has already counts as a duplicate and is left alone. Each
company saved costs a credit; when the workspace's credits run out, saving stops and
`message` says so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from webapp.services.errors import ValidationFailed
from webapp.services.leads.input import clean_text
from webapp.services.pipeline.credits import DISCOVERY_COST, CreditsExhausted, spend
from webapp.services.pipeline.discovery import (
    SearchContext,
    find_by_domain,
    lock_domain,
    plan_company,
    save_company,
)
from webapp.services.pipeline.signals import strengths_for

MODES = ("company",)
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


@dataclass(frozen=True)
class DiscoverRequest:
    query: str
    mode: str = "company"
    location: str | None = None
    industry: str | None = None
    tech_stack: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass
class Found:
    """One company as the answer shows it (seed 002's lead record, in its names)."""

    lead: dict
    domain: str | None
    company: dict


@dataclass
class DiscoverResult:
    search_id: str
    found: list[Found] = field(default_factory=list)
    saved: int = 0
    duplicates: int = 0
    saved_lead_ids: list[uuid.UUID] = field(default_factory=list)
    message: str | None = None


def clean_request(data: dict) -> DiscoverRequest:
    errors, values = {}, {}
    for name, limit in (("query", 500), ("location", 255), ("industry", 255),
                        ("tech_stack", 500)):  # fmt: skip
        try:
            values[name] = clean_text(name, data.get(name), limit)
        except ValueError as exc:
            errors[name] = str(exc)
    if not values.get("query") and "query" not in errors:
        errors["query"] = "is required"
    mode = data.get("mode") or "company"
    if mode not in MODES:
        errors["mode"] = "must be company (the intent provider finds companies)"
    limit = data.get("limit", DEFAULT_LIMIT)
    try:
        limit = int(limit)
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError
    except (TypeError, ValueError):
        errors["limit"] = f"must be a whole number between 1 and {MAX_LIMIT}"
    if errors:
        raise ValidationFailed(errors)
    return DiscoverRequest(mode=mode, limit=limit, **values)


def search(session: Session, workspace_id: uuid.UUID, request: DiscoverRequest) -> list[dict]:
    from webapp.providers.config import provider_config
    from webapp.providers.intent import search_companies

    config = provider_config(session, workspace_id, "intent")
    industries = [i.strip() for i in (request.industry or "").split(",") if i.strip()]
    return search_companies(
        config,
        topic=request.query,
        location=request.location,
        industries=tuple(industries),
        limit=request.limit,
    )


def _context(request: DiscoverRequest, search_id: str) -> SearchContext:
    return SearchContext(
        query=request.query,
        location=request.location,
        industry=request.industry,
        tech_stack=request.tech_stack,
        mode=request.mode,
        source_id=search_id,
    )


def _shown(company: dict, intent, lead_id=None, duplicate=False) -> dict:
    location = ", ".join(str(company[k]) for k in ("city", "state", "country") if company.get(k))
    domain = company.get("domain")
    return {
        "id": str(lead_id) if lead_id else None,
        "type": "COMPANY",
        "leadName": company.get("name"),
        "company": company.get("name"),
        "domain": domain,
        "website": f"https://{domain}" if domain else None,
        "industry": company.get("industry"),
        "employeeCount": company.get("employee_count"),
        "revenue": company.get("revenue"),
        "location": location or None,
        "headquarters": location or None,
        "linkedinLink": company.get("linkedin_url"),
        "intent": intent.intent if intent else None,
        "leadScore": intent.score if intent else 0,
        "intentExplanation": intent.explanation if intent else None,
        "signals": intent.signals if intent else [],
        "duplicate": duplicate,
    }


def discover(
    session: Session,
    workspace_id: uuid.UUID,
    request: DiscoverRequest,
    save: bool,
    companies: list[dict] | None = None,
    chosen_domains: set[str] | None = None,
) -> DiscoverResult:
    """Search (or take `companies`), score each, and with `save` store the new ones.

    `chosen_domains` limits saving to those companies ("Save selected"). The caller
    commits; saved leads' ids are in `saved_lead_ids` (for enrichment after commit).
    """
    result = DiscoverResult(search_id=uuid.uuid4().hex)
    if companies is None:
        companies = search(session, workspace_id, request)
    strengths = strengths_for(session, workspace_id)
    context = _context(request, result.search_id)
    for company in companies:
        try:
            plan = plan_company(session, workspace_id, company, strengths, context)
        except ValidationFailed:
            result.found.append(Found(_shown(company, None), None, company))
            continue
        existing = plan.lead
        if existing is not None:
            result.duplicates += 1 if save else 0
            shown = _shown(company, plan.intent, existing.id, duplicate=True)
            result.found.append(Found(shown, plan.domain, company))
            continue
        wanted = save and (chosen_domains is None or plan.domain in chosen_domains)
        if wanted and result.message is None:
            lock_domain(session, workspace_id, plan.domain)
            if find_by_domain(session, workspace_id, plan.domain) is not None:
                result.duplicates += 1
                result.found.append(
                    Found(_shown(company, plan.intent, None, True), plan.domain, company)
                )
                continue
            try:
                spend(session, workspace_id, DISCOVERY_COST, f"discovery of {plan.domain}")
            except CreditsExhausted as exc:
                result.message = f"Saving stopped: {exc}."
            else:
                lead = save_company(session, workspace_id, plan, context, raw=company)
                session.flush()
                result.saved += 1
                result.saved_lead_ids.append(lead.id)
                result.found.append(
                    Found(_shown(company, plan.intent, lead.id), plan.domain, company)
                )
                continue
        result.found.append(Found(_shown(company, plan.intent), plan.domain, company))
    return result
