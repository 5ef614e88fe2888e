"""Discovery jobs: run one saved query, or every active query of a workspace.

`pipeline.discover_query` (query id): search the intent provider, score and save each
company (services/pipeline/discovery.py), one credit per company saved, at most the
query's daily limit a day; enrichment (`pipeline.enrich`) is started for every new or
changed lead as a child run. A company already saved with the same signals is left
alone, so running a query twice makes no second lead and spends nothing.
`pipeline.discover_workspace` (workspace id) starts the first for each active query;
the scheduler starts it daily at 02:00 in the workspace's time zone.
"""

from __future__ import annotations

import logging
import uuid

from webapp.extensions import db
from webapp.jobs.registry import UnknownJob, get_job, job
from webapp.models.base import utcnow
from webapp.models.discovery import DiscoveryQuery
from webapp.services.errors import ValidationFailed
from webapp.services.pipeline.credits import DISCOVERY_COST, CreditsExhausted, spend
from webapp.services.pipeline.discovery import (
    count_saved,
    left_today,
    location_filter,
    lock_domain,
    plan_company,
    query_context,
    save_company,
)
from webapp.services.pipeline.queries import active_query_ids
from webapp.services.pipeline.signals import strengths_for

log = logging.getLogger(__name__)
DISCOVER_QUERY = "pipeline.discover_query"
DISCOVER_WORKSPACE = "pipeline.discover_workspace"
ENRICH = "pipeline.enrich"  # registered by the enrichment jobs


def enrichment_available() -> bool:
    try:
        get_job(ENRICH)
    except UnknownJob:
        return False
    return True


def search_for(query: DiscoveryQuery, limit: int) -> list[dict]:
    """The provider's companies for the query (the workspace's intent provider settings)."""
    from webapp.providers.config import provider_config
    from webapp.providers.intent import search_companies

    config = provider_config(db.session, query.workspace_id, "intent")
    return search_companies(
        config,
        topic=query.topic,
        location=location_filter(query.country, query.state, query.city),
        size_min=query.size_min,
        size_max=query.size_max,
        industries=tuple(query.industries or ()),
        limit=limit,
    )


def start_enrichment(run, lead_ids: list[uuid.UUID], workspace_id: uuid.UUID) -> None:
    if not lead_ids:
        return
    if not enrichment_available():
        run.count(enrichment_not_started=len(lead_ids))
        return
    from webapp.jobs import enqueue

    for lead_id in lead_ids:
        enqueue(
            ENRICH,
            lead_id,
            workspace_id=workspace_id,
            parent=run.id,
            subject=("lead", lead_id),
        )
        run.count(enrichment_started=1)


def start_enrichment_now(lead_ids: list[uuid.UUID], workspace_id, started_by=None) -> int:
    """Enrich leads saved outside a discovery run (Discover); returns how many started."""
    if not lead_ids or not enrichment_available():
        return 0
    from webapp.jobs import enqueue

    for lead_id in lead_ids:
        enqueue(
            ENRICH, lead_id, workspace_id=workspace_id, started_by=started_by,
            subject=("lead", lead_id),
        )  # fmt: skip
    return len(lead_ids)


@job(DISCOVER_QUERY, label="Discovery query")
def discover_query(run, query_id: str) -> int:
    """Search, score and save one query's companies; returns how many leads it saved."""
    query = db.session.get(DiscoveryQuery, uuid.UUID(query_id))
    if query is None:
        run.tell("The query was deleted before it ran.")
        return 0
    workspace_id = query.workspace_id
    allowed = left_today(db.session, query)
    if allowed == 0:
        query.last_run_at = utcnow()
        db.session.commit()
        run.tell(f"Stopped: the query's daily limit of {query.daily_limit} is reached for today.")
        return 0
    # Always the query's full daily answer: the same search gives the same companies, so a
    # company saved before is found again and left alone (deduped by its domain).
    companies = search_for(query, query.daily_limit)
    strengths = strengths_for(db.session, workspace_id)
    context = query_context(query, str(run.id) if run.id else None)
    db.session.commit()
    run.progress(0, len(companies))
    saved, stop = 0, None
    for done, company in enumerate(companies, start=1):
        if run.cancelled():
            stop = f"Cancelled after {done - 1} of {len(companies)} companies."
            break
        if saved >= allowed:
            stop = f"Stopped: the query's daily limit of {query.daily_limit} is reached."
            break
        lead_id = None
        try:
            plan = plan_company(db.session, workspace_id, company, strengths, context)
            lock_domain(db.session, workspace_id, plan.domain)
            # Decided again under the lock: a run racing us may have saved it meanwhile.
            plan = plan_company(db.session, workspace_id, company, strengths, context)
            if plan.action == "unchanged":
                run.count(unchanged=1)
            else:
                spend(db.session, workspace_id, DISCOVERY_COST, f"discovery of {plan.domain}")
                lead = save_company(db.session, workspace_id, plan, context, raw=company)
                count_saved(db.session, query)
                run.count(**{plan.action: 1})
                saved += 1
                lead_id = lead.id
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            run.count(refused=1)
            log.info("discovery: company refused: %s", exc)
        except CreditsExhausted as exc:
            db.session.rollback()
            stop = f"Stopped: {exc}."
            break
        if lead_id is not None:
            start_enrichment(run, [lead_id], workspace_id)
        run.progress(done)
    query = db.session.get(DiscoveryQuery, uuid.UUID(query_id))
    if query is not None:
        query.last_run_at = utcnow()
        db.session.commit()
    summary = f"{saved} lead{'' if saved == 1 else 's'} saved from {len(companies)} companies"
    run.tell(f"{stop} {summary}." if stop else f"Done: {summary}.")
    return saved


@job(DISCOVER_WORKSPACE, label="Daily discovery")
def discover_workspace(run, workspace_id: str) -> int:
    """Start a discovery run for each of the workspace's active queries (child runs)."""
    from webapp.jobs import enqueue

    workspace = uuid.UUID(workspace_id)
    ids = active_query_ids(db.session, workspace)
    db.session.commit()
    run.progress(0, len(ids))
    for done, query_id in enumerate(ids, start=1):
        enqueue(
            DISCOVER_QUERY,
            query_id,
            workspace_id=workspace,
            parent=run.id,
            subject=("discovery_query", query_id),
        )
        run.count(queries=1)
        run.progress(done)
    run.tell(f"Started {len(ids)} discovery quer{'y' if len(ids) == 1 else 'ies'}.")
    return len(ids)
