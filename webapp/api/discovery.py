"""The pipeline API (bearer tokens): discover (seed 002) and run a saved query now.

`POST /api/leads/discover` keeps seed 002's path; the admin trigger is
`POST /api/v1/pipeline/queries/{id}/run` (202 with the run, in webapp.api.pipeline's shape).
Thin: read the declared body, call one service, commit, answer the declared shape.
"""

from __future__ import annotations

from flask import Blueprint, abort

from webapp.api import tokens
from webapp.api.pipeline import run_answer
from webapp.api.schemas import DiscoveredLead, DiscoverRequest, DiscoverResult
from webapp.api.validation import read_body
from webapp.errors import api_error
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.discovery import DISCOVER_QUERY, start_enrichment_now
from webapp.services.errors import NotFound
from webapp.services.pipeline import discover as discovering
from webapp.services.pipeline.queries import get_query

bp = Blueprint("discovery_api", __name__)
tokens.protect(bp)
# Seed 002's path, outside /api/v1: registered on the app (webapp/__init__.py).
seed_bp = Blueprint("discover_api", __name__, url_prefix="/api")
tokens.protect(seed_bp)


@seed_bp.post("/leads/discover")
def discover_endpoint():
    from webapp.providers.config import ProviderNotConfigured
    from webapp.providers.http import ProviderError

    body = read_body(DiscoverRequest)
    token = tokens.current_token()
    wanted = discovering.clean_request(body.model_dump(exclude={"saveToDatabase"}))
    save = body.saveToDatabase
    try:
        result = discovering.discover(db.session, token.workspace_id, wanted, save)
    except ProviderError as exc:
        db.session.rollback()
        return api_error(502, f"The intent provider did not answer: {exc}")
    except ProviderNotConfigured as exc:
        db.session.rollback()
        return api_error(502, str(exc))
    tokens.audit(
        "api.leads.discovered",
        details={
            "search_id": result.search_id,
            "query": wanted.query,
            "count": len(result.found),
            "saved": result.saved,
            "duplicates": result.duplicates,
        },
    )
    db.session.commit()
    if result.saved_lead_ids:
        start_enrichment_now(result.saved_lead_ids, token.workspace_id, tokens.actor_id())
    answer = DiscoverResult(
        success=True,
        leads=[DiscoveredLead.model_validate(found.lead) for found in result.found],
        count=len(result.found),
        saved=result.saved,
        duplicates=result.duplicates,
        searchId=result.search_id,
        message=result.message,
    )
    return answer.model_dump(mode="json"), 200


@bp.post("/pipeline/queries/<query_id>/run")
def run_query_endpoint(query_id):
    token = tokens.current_token()
    try:
        query = get_query(db.session, token.workspace_id, query_id)
    except NotFound:
        abort(404, "No such discovery query.")
    tokens.audit("api.discovery_query.run", details={"query_id": str(query.id)})
    db.session.commit()
    run = enqueue(
        DISCOVER_QUERY,
        query.id,
        workspace_id=token.workspace_id,
        started_by=tokens.actor_id(),
        subject=("discovery_query", query.id),
    )
    return run_answer(run, 202)
