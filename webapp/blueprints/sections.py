"""The Lists overview (lists are made from My Leads' bulk bar)."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import login_required

from webapp.extensions import db
from webapp.services.lead_lists import lists_overview

bp = Blueprint("sections", __name__)


@bp.get("/lists")
@login_required
def lists():
    return render_template("sections/lists.html", lists=lists_overview(db.session, g.workspace.id))
