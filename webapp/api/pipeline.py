"""Admin triggers of the lead pipeline (seed 001's manual triggers), behind bearer tokens.

`POST /api/v1/leads/{id}/enrich` starts `pipeline.enrich` for the lead (enrich again,
then deliver and upload as usual) and answers 202 with the run.
"""

from __future__ import annotations

from flask import Blueprint, abort

from webapp.api import tokens
from webapp.api.schemas import EnrichmentStarted
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.lead_pipeline import ENRICH
from webapp.models import Lead
from webapp.tenancy import parse_uuid, scoped

bp = Blueprint("pipeline_api", __name__)
tokens.protect(bp)


@bp.post("/leads/<lead_id>/enrich")
def enrich_endpoint(lead_id):
    parsed = parse_uuid(lead_id)
    workspace_id = tokens.current_token().workspace_id
    lead = db.session.execute(scoped(Lead, workspace_id).where(Lead.id == parsed)).scalar()
    if parsed is None or lead is None:
        abort(404, "No such lead.")
    lead.enrichment_status = "pending"
    tokens.audit("api.lead.enrich_requested", lead.id)
    db.session.commit()
    run = enqueue(
        ENRICH,
        str(lead.id),
        workspace_id=workspace_id,
        started_by=tokens.actor_id(),
        subject=("lead", lead.id),
        force=True,
    )
    body = EnrichmentStarted(
        run_id=run.id, kind=run.kind, status=run.status, lead_id=lead.id, created_at=run.created_at
    )
    return body.model_dump(mode="json"), 202
