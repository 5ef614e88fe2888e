"""Loading one object of a workspace by id: the service-side twin of tenancy.get_scoped_or_404."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.services.errors import NotFound

T = TypeVar("T")


def parse_uuid(value) -> uuid.UUID | None:
    """An id as typed (or a UUID); None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def get_owned(session: Session, model: type[T], workspace_id: uuid.UUID, object_id) -> T:
    """The `model` row with this id in this workspace; NotFound for anything else."""
    wanted = parse_uuid(object_id)
    if wanted is None:
        raise NotFound(model.__name__)
    found = session.execute(
        select(model).where(model.id == wanted, model.workspace_id == workspace_id)
    ).scalar()
    if found is None:
        raise NotFound(model.__name__)
    return found
