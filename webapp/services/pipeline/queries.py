"""Saved discovery queries (Pipeline → Queries): check, create, change, pause, delete."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models.discovery import DEFAULT_DAILY_LIMIT, DiscoveryQuery
from webapp.services.errors import ValidationFailed
from webapp.services.leads.input import clean_text
from webapp.services.scoping import get_owned

MAX_DAILY_LIMIT = 1000
MAX_SIZE = 10_000_000
QUERY_FIELDS = (
    "name",
    "topic",
    "country",
    "state",
    "city",
    "size_min",
    "size_max",
    "industries",
    "daily_limit",
    "active",
)


def _int(value, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("must be a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"must be between {low:,} and {high:,}")
    return number


def _industries(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    cleaned: list[str] = []
    for item in value:
        name = clean_text("industry", item if isinstance(item, str) else str(item))
        if name and name.lower() not in (c.lower() for c in cleaned):
            cleaned.append(name)
    if len(cleaned) > 20:
        raise ValueError("at most 20 industries")
    return cleaned


def clean_query(data: dict) -> dict:
    """A query's fields from a form or JSON; ValidationFailed names each bad one."""
    values, errors = {}, {}
    for name, limit in (("topic", 500), ("name", 255), ("country", 120), ("state", 120),
                        ("city", 120)):  # fmt: skip
        try:
            values[name] = clean_text(name, data.get(name), limit)
        except ValueError as exc:
            errors[name] = str(exc)
    if not values.get("topic") and "topic" not in errors:
        errors["topic"] = "is required"
    for name in ("size_min", "size_max"):
        try:
            values[name] = _int(data.get(name), 0, MAX_SIZE)
        except ValueError as exc:
            errors[name] = str(exc)
    if (
        values.get("size_min") is not None
        and values.get("size_max") is not None
        and values["size_min"] > values["size_max"]
    ):
        errors["size_max"] = "must be at least the smallest size"
    try:
        limit = _int(data.get("daily_limit"), 1, MAX_DAILY_LIMIT)
        values["daily_limit"] = DEFAULT_DAILY_LIMIT if limit is None else limit
    except ValueError as exc:
        errors["daily_limit"] = str(exc)
    try:
        values["industries"] = _industries(data.get("industries"))
    except ValueError as exc:
        errors["industries"] = str(exc)
    active = data.get("active", True)
    values["active"] = active in (True, "1", "on", "true", "yes", 1)
    if errors:
        raise ValidationFailed(errors)
    values["name"] = values.get("name") or values["topic"][:255]
    return values


def list_queries(session: Session, workspace_id: uuid.UUID) -> list[DiscoveryQuery]:
    return list(
        session.execute(
            select(DiscoveryQuery)
            .where(DiscoveryQuery.workspace_id == workspace_id)
            .order_by(DiscoveryQuery.active.desc(), DiscoveryQuery.name, DiscoveryQuery.id)
        ).scalars()
    )


def active_query_ids(session: Session, workspace_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.execute(
            select(DiscoveryQuery.id)
            .where(DiscoveryQuery.workspace_id == workspace_id, DiscoveryQuery.active.is_(True))
            .order_by(DiscoveryQuery.created_at, DiscoveryQuery.id)
        ).scalars()
    )


def get_query(session: Session, workspace_id: uuid.UUID, query_id) -> DiscoveryQuery:
    """The workspace's query; another workspace's (or none) is NotFound."""
    return get_owned(session, DiscoveryQuery, workspace_id, query_id)


def create_query(
    session: Session, workspace_id: uuid.UUID, data: dict, created_by_id: uuid.UUID | None
) -> DiscoveryQuery:
    query = DiscoveryQuery(
        workspace_id=workspace_id, created_by_id=created_by_id, **clean_query(data)
    )
    session.add(query)
    session.flush()
    return query


def update_query(session: Session, query: DiscoveryQuery, data: dict) -> dict:
    """Apply the form; returns {field: [old, new]} of what changed."""
    changed = {}
    for name, value in clean_query(data).items():
        old = getattr(query, name)
        if old != value:
            changed[name] = [old, value]
            setattr(query, name, value)
    session.flush()
    return changed


def set_active(session: Session, query: DiscoveryQuery, active: bool) -> bool:
    """Pause or resume; returns whether anything changed."""
    if query.active == active:
        return False
    query.active = active
    session.flush()
    return True


def delete_query(session: Session, query: DiscoveryQuery) -> None:
    session.delete(query)
    session.flush()
