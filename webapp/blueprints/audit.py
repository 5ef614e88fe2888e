"""The audit log, for admins: who looked at or changed what, and when."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.services.accounts.users import workspace_members
from webapp.services.audit import audit_page

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@admin_required
def index():
    found = audit_page(db.session, g.workspace.id, request.args, g.workspace.timezone)
    return render_template(
        "audit/index.html",
        rows=found.rows,
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        members=workspace_members(db.session, g.workspace.id),
        actions=found.actions,
        filters=found.filters,
    )
