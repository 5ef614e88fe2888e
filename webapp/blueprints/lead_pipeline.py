"""The lead page's pipeline panel and its admin buttons: Enrich again, Redeliver, Upload now.

The panel (templates/lead/_pipeline.html) reads its data through the template global
`lead_pipeline(lead)`, so the lead page needs only one include line. Each button is
an admin-only POST (CSRF as every form), audited, that starts a job run about the
lead; the panel shows that run with the progress widget.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, g, redirect, url_for
from flask_login import current_user

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.lead_pipeline import DELIVER, ENRICH, UPLOAD
from webapp.models import Lead
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.pipeline.delivery import prepare_redelivery, request_upload
from webapp.services.pipeline.panel import pipeline_panel
from webapp.tenancy import get_scoped_or_404

bp = Blueprint("lead_pipeline", __name__, url_prefix="/leads")
RUN_SHOWN_FOR = timedelta(minutes=10)


@bp.app_template_global("lead_pipeline")
def lead_pipeline(lead: Lead) -> dict:
    """Everything the pipeline panel shows about `lead` (the signed-in user's view)."""
    return pipeline_panel(
        db.session,
        lead,
        user_id=current_user.id if current_user.is_authenticated else None,
        within=RUN_SHOWN_FOR,
    )


def _start(lead: Lead, kind: str, action: str, message: str, **kwargs):
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        action,
        "lead",
        lead.id,
        ip_address=client_ip(),
    )
    db.session.commit()
    enqueue(
        kind,
        str(lead.id),
        workspace_id=lead.workspace_id,
        started_by=current_user.id,
        subject=("lead", lead.id),
        **kwargs,
    )
    flash(message, "success")
    return redirect(url_for("lead.show", lead_id=lead.id) + "#lead-pipeline")


@bp.post("/<lead_id>/pipeline/enrich")
@admin_required
def enrich_again(lead_id):
    lead = get_scoped_or_404(Lead, lead_id)
    lead.enrichment_status = "pending"
    return _start(lead, ENRICH, "lead.enrich_requested", "Enrichment started.", force=True)


@bp.post("/<lead_id>/pipeline/redeliver")
@admin_required
def redeliver(lead_id):
    lead = get_scoped_or_404(Lead, lead_id)
    prepare_redelivery(db.session, lead)
    return _start(lead, DELIVER, "lead.redeliver_requested", "Delivery started.")


@bp.post("/<lead_id>/pipeline/upload")
@admin_required
def upload_now(lead_id):
    lead = get_scoped_or_404(Lead, lead_id)
    if lead.uploaded:
        flash(f"Already uploaded to {lead.upload_platform}.", "info")
        return redirect(url_for("lead.show", lead_id=lead.id) + "#lead-pipeline")
    if not request_upload(lead):
        flash(f"Only hot and warm leads are uploaded; this one is {lead.intent}.", "error")
        return redirect(url_for("lead.show", lead_id=lead.id) + "#lead-pipeline")
    return _start(lead, UPLOAD, "lead.upload_requested", "Upload started.")
