"""Admin triggers of the lead pipeline (seed 001's manual triggers), behind bearer tokens.

`POST /api/v1/leads/{id}/enrich` starts `pipeline.enrich` for the lead (enrich again, then
deliver and upload as usual); `POST /api/v1/pipeline/queries/{id}/run` (webapp.api.discovery)
runs a saved query now. Both answer 202 with the one `JobRun` shape and a `Location` to poll:
`GET /api/v1/pipeline/runs/{id}`, the same shape, for any run of the pipeline.
"""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from sqlalchemy import select

from webapp.api import tokens
from webapp.api.shapes import job_run_body
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.lead_pipeline import ENRICH
from webapp.models import JobRun, Lead
from webapp.tenancy import parse_uuid, scoped

bp = Blueprint("pipeline_api", __name__)
tokens.protect(bp)
PIPELINE_KINDS = "pipeline."  # the kinds GET …/pipeline/runs/{id} answers


def run_answer(run: JobRun, status: int = 200):
    """The run as the API answers it; a 202 names its URL in `Location` too."""
    url = url_for("api.pipeline_api.run_endpoint", run_id=run.id, _external=True)
    headers = {"Location": url} if status == 202 else {}
    return job_run_body(run, url).model_dump(mode="json"), status, headers


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
    return run_answer(run, 202)


@bp.get("/pipeline/runs/<run_id>")
def run_endpoint(run_id):
    parsed = parse_uuid(run_id)
    run = db.session.scalar(
        select(JobRun).where(
            JobRun.id == parsed,
            JobRun.workspace_id == tokens.current_token().workspace_id,
            JobRun.kind.startswith(PIPELINE_KINDS),
        )
    )
    if parsed is None or run is None:
        abort(404, "No such run of the pipeline.")
    return run_answer(run)
