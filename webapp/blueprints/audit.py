"""The audit log, for admins: who looked at or changed what, and when."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, g, render_template, request
from sqlalchemy import func, select

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.models import AuditLog
from webapp.services.accounts.users import workspace_members
from webapp.services.days import day_end, day_start, parse_day
from webapp.services.paging import page_number
from webapp.tenancy import parse_uuid

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50


@bp.get("")
@admin_required
def index():
    args = request.args
    query = select(AuditLog).where(AuditLog.workspace_id == g.workspace.id)
    user_id = parse_uuid(args.get("user"))
    if user_id:
        query = query.where(AuditLog.user_id == user_id)
    if args.get("action"):
        query = query.where(AuditLog.action == args["action"])
    zone = ZoneInfo(g.workspace.timezone or "UTC")
    if start := parse_day(args.get("from")):
        query = query.where(AuditLog.created_at >= day_start(start, zone))
    if end := parse_day(args.get("to")):
        query = query.where(AuditLog.created_at < day_end(end, zone))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number(args.get("page", 1), total, PER_PAGE)
    rows = (
        db.session.execute(
            query.order_by(AuditLog.created_at.desc(), AuditLog.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
        .scalars()
        .all()
    )
    actions = db.session.execute(
        select(AuditLog.action)
        .where(AuditLog.workspace_id == g.workspace.id)
        .distinct()
        .order_by(AuditLog.action)
    ).scalars()
    filters = {k: v for k, v in args.items() if k in ("user", "action", "from", "to") and v}
    return render_template(
        "audit/index.html",
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        members=workspace_members(db.session, g.workspace.id),
        actions=list(actions),
        filters=filters,
    )
