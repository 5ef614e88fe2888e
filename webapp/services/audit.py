"""Audit rows for access to personal data and destructive actions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import AuditLog
from webapp.services.days import day_end, day_start, parse_day
from webapp.services.paging import page_number
from webapp.services.scoping import parse_uuid


def record_audit(
    session: Session,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID | None,
    action: str,
    object_type: str | None = None,
    object_id: str | uuid.UUID | None = None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditLog:
    row = AuditLog(
        workspace_id=workspace_id,
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id else None,
        details=details,
        ip_address=ip_address,
    )
    session.add(row)
    return row


AUDIT_FILTERS = ("user", "action", "from", "to")
AUDIT_PAGE_SIZE = 50


@dataclass
class AuditPage:
    rows: list[AuditLog]
    total: int
    page: int
    per_page: int
    actions: list[str]  # every action the workspace's log holds, for the filter
    filters: dict[str, str]  # the filters asked for, as typed (for the page's links)


def audit_page(
    session: Session, workspace_id: uuid.UUID, args: Mapping[str, str], timezone: str = "UTC"
) -> AuditPage:
    """One page of the workspace's audit log, newest first, filtered as `args` ask.

    `args` may hold user (an id), action, from and to (whole days in `timezone`) and
    page; a value that is not one of these kinds is ignored, a page past the end is
    the last page.
    """
    query = select(AuditLog).where(AuditLog.workspace_id == workspace_id)
    if user_id := parse_uuid(args.get("user")):
        query = query.where(AuditLog.user_id == user_id)
    if args.get("action"):
        query = query.where(AuditLog.action == args["action"])
    zone = ZoneInfo(timezone or "UTC")
    if start := parse_day(args.get("from")):
        query = query.where(AuditLog.created_at >= day_start(start, zone))
    if end := parse_day(args.get("to")):
        query = query.where(AuditLog.created_at < day_end(end, zone))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number(args.get("page", 1), total, AUDIT_PAGE_SIZE)
    rows = session.execute(
        query.order_by(AuditLog.created_at.desc(), AuditLog.id)
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).scalars()
    actions = session.execute(
        select(AuditLog.action)
        .where(AuditLog.workspace_id == workspace_id)
        .distinct()
        .order_by(AuditLog.action)
    ).scalars()
    return AuditPage(
        rows=list(rows),
        total=total,
        page=page,
        per_page=AUDIT_PAGE_SIZE,
        actions=list(actions),
        filters={k: v for k, v in args.items() if k in AUDIT_FILTERS and v},
    )
