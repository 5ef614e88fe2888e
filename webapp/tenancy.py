"""One helper scopes every query to the signed-in user's workspace.

An object of another workspace is a 404, never a 403 that confirms it exists.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from flask import abort, g

from webapp.extensions import db
from webapp.services.scoping import parse_uuid

T = TypeVar("T")


def current_workspace_id() -> uuid.UUID:
    if getattr(g, "workspace", None) is None:
        abort(404)
    return g.workspace.id


def scoped(model, workspace_id: uuid.UUID | None = None):
    """A select of `model` limited to one workspace (the current one by default)."""
    workspace_id = workspace_id or current_workspace_id()
    return db.select(model).where(model.workspace_id == workspace_id)


def get_scoped_or_404(model: type[T], object_id, workspace_id: uuid.UUID | None = None) -> T:
    parsed = parse_uuid(object_id)
    if parsed is None:
        abort(404)
    found = db.session.execute(scoped(model, workspace_id).where(model.id == parsed)).scalar()
    if found is None:
        abort(404)
    return found
