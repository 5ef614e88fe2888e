"""My Leads and the lead page."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_login import login_required
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Lead
from webapp.tenancy import scoped

bp = Blueprint("leads", __name__, url_prefix="/leads")

PAGE_SIZES = (25, 50, 100)


@bp.get("")
@login_required
def index():
    try:
        page = max(int(request.args.get("page", 1)), 1)
        per_page = int(request.args.get("per_page", 25))
    except ValueError:
        page, per_page = 1, 25
    per_page = per_page if per_page in PAGE_SIZES else 25
    query = scoped(Lead).order_by(Lead.created_at.desc(), Lead.id.desc())
    total = db.session.execute(
        select(func.count()).select_from(Lead).where(Lead.workspace_id == g.workspace.id)
    ).scalar_one()
    leads = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return render_template(
        "leads/index.html", leads=leads, total=total, page=page, per_page=per_page
    )
