"""The audit log, for admins: who looked at or changed what, and when, in words."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.services.accounts.users import workspace_members
from webapp.services.audit_log import AuditFilter, audit_page
from webapp.services.days import parse_day
from webapp.tenancy import parse_uuid

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@admin_required
def index():
    args = request.args
    wanted = AuditFilter(
        user_id=parse_uuid(args.get("user")),
        action=args.get("action") or None,
        start=parse_day(args.get("from")),
        end=parse_day(args.get("to")),
    )
    page = audit_page(
        db.session, g.workspace.id, wanted, args.get("page", 1), g.workspace.timezone or "UTC"
    )
    filters = {k: v for k, v in args.items() if k in ("user", "action", "from", "to") and v}
    return render_template(
        "audit/index.html",
        page=page,
        members=workspace_members(db.session, g.workspace.id),
        filters=filters,
    )
