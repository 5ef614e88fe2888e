"""Inserts two writers may race on (seed rows, shared core rows): one wins, neither fails."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def inserted_first(session: Session, rows: list) -> bool:
    """Add and flush `rows` in a savepoint. False, with none of them kept and the session's
    transaction still usable, when a unique key shows another writer inserted them first."""
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        return False
    return True
