"""Imports as people see them: admins every import of the workspace, a rep their own."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import LeadImport
from webapp.models.base import utcnow
from webapp.services.errors import NotFound
from webapp.services.scoping import parse_uuid

PER_PAGE = 50


def _visible(workspace_id: uuid.UUID, user_id: uuid.UUID | None, sees_all: bool):
    query = select(LeadImport).where(LeadImport.workspace_id == workspace_id)
    if not sees_all:
        query = query.where(LeadImport.created_by_id == user_id)
    return query


def list_imports(
    session: Session, workspace_id, user_id, sees_all: bool, limit: int = PER_PAGE
) -> list[LeadImport]:
    query = _visible(workspace_id, user_id, sees_all).order_by(
        LeadImport.created_at.desc(), LeadImport.id.desc()
    )
    return list(session.execute(query.limit(limit)).scalars())


def import_visible(
    session: Session, workspace_id, user_id, sees_all: bool, import_id
) -> LeadImport:
    wanted = parse_uuid(import_id)
    if wanted is None:
        raise NotFound("LeadImport")
    found = session.execute(
        _visible(workspace_id, user_id, sees_all).where(LeadImport.id == wanted)
    ).scalar()
    if found is None:
        raise NotFound("LeadImport")
    return found


def rows_per_second(imp: LeadImport) -> float | None:
    if imp.started_at is None or not imp.done_rows:
        return None
    end = imp.finished_at or utcnow()
    seconds = (end - imp.started_at).total_seconds()
    return imp.done_rows / seconds if seconds > 0 else None
