"""The lead page: one lead, its fields, pipeline, timeline and conversion."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.models import Lead
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.tenancy import get_scoped_or_404

bp = Blueprint("lead", __name__, url_prefix="/leads")


@bp.get("/<lead_id>")
@login_required
def show(lead_id):
    lead = get_scoped_or_404(Lead, lead_id)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "lead.viewed",
        "lead",
        lead.id,
        ip_address=client_ip(),
    )
    db.session.commit()
    return render_template("leads/show.html", lead=lead)
