"""The workspace's signal-type table: how strong each kind of intent signal is.

Seeded with seed 001's six types for every workspace (the migration, new workspaces,
and any workspace found without a table); admins edit it on Pipeline → Signals.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models.discovery import DEFAULT_SIGNAL_TYPES, STRENGTHS, SignalType
from webapp.services.errors import ValidationFailed
from webapp.services.leads.input import clean_text
from webapp.services.pipeline.scoring import signal_key
from webapp.services.races import inserted_first
from webapp.services.scoping import get_owned


def seed_signal_types(session: Session, workspace_id: uuid.UUID) -> None:
    """Give a workspace without a signal table seed 001's six types."""
    has_any = session.execute(
        select(func.count()).select_from(SignalType).where(SignalType.workspace_id == workspace_id)
    ).scalar()
    if has_any:
        return
    rows = [
        SignalType(
            workspace_id=workspace_id,
            signal_type=name,
            signal_key=signal_key(name),
            strength=strength,
            description=description,
        )
        for name, strength, description in DEFAULT_SIGNAL_TYPES
    ]
    # Two jobs may seed one workspace at once (its queries discovered side by side):
    # the loser keeps the winner's rows instead of failing.
    inserted_first(session, rows)


def signal_types(session: Session, workspace_id: uuid.UUID) -> list[SignalType]:
    seed_signal_types(session, workspace_id)
    return list(
        session.execute(
            select(SignalType)
            .where(SignalType.workspace_id == workspace_id)
            .order_by(SignalType.signal_type, SignalType.id)
        ).scalars()
    )


def strengths_for(session: Session, workspace_id: uuid.UUID) -> dict[str, str]:
    """{signal key: strength} for scoring (webapp.services.pipeline.scoring.intent_for)."""
    return {row.signal_key: row.strength for row in signal_types(session, workspace_id)}


def _clean(session: Session, workspace_id: uuid.UUID, data: dict, current: SignalType | None):
    errors, values = {}, {}
    try:
        values["signal_type"] = clean_text("signal_type", data.get("signal_type"), 255)
        if not values["signal_type"]:
            errors["signal_type"] = "is required"
    except ValueError as exc:
        errors["signal_type"] = str(exc)
    strength = str(data.get("strength") or "").strip().lower()
    if strength not in STRENGTHS:
        errors["strength"] = f"must be one of {', '.join(STRENGTHS)}"
    values["strength"] = strength
    try:
        values["description"] = clean_text("description", data.get("description"), 500)
    except ValueError as exc:
        errors["description"] = str(exc)
    if values.get("signal_type"):
        key = signal_key(values["signal_type"])
        clash = session.execute(
            select(SignalType).where(
                SignalType.workspace_id == workspace_id, SignalType.signal_key == key
            )
        ).scalar()
        if clash is not None and clash is not current:
            errors["signal_type"] = "is in the table already"
        values["signal_key"] = key
    if errors:
        raise ValidationFailed(errors)
    return values


def add_signal_type(session: Session, workspace_id: uuid.UUID, data: dict) -> SignalType:
    seed_signal_types(session, workspace_id)
    row = SignalType(workspace_id=workspace_id, **_clean(session, workspace_id, data, None))
    session.add(row)
    session.flush()
    return row


def update_signal_type(
    session: Session, workspace_id: uuid.UUID, signal_type_id, data: dict
) -> tuple[SignalType, dict]:
    """Change a type; returns it and {field: [old, new]} of what changed."""
    row = get_owned(session, SignalType, workspace_id, signal_type_id)
    values = _clean(session, workspace_id, data, row)
    changed = {}
    for name, value in values.items():
        if getattr(row, name) != value:
            if name != "signal_key":
                changed[name] = [getattr(row, name), value]
            setattr(row, name, value)
    session.flush()
    return row, changed


def delete_signal_type(session: Session, workspace_id: uuid.UUID, signal_type_id) -> SignalType:
    row = get_owned(session, SignalType, workspace_id, signal_type_id)
    session.delete(row)
    session.flush()
    return row
