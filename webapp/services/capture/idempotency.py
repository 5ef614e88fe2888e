"""Idempotency keys: a retried POST gets the first answer instead of acting twice."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.models.base import utcnow
from webapp.models.forms import IdempotencyKey

MAX_KEY_LENGTH = 255
# A claim older than this belongs to a request that died; a retry may take it over.
STALE_AFTER = timedelta(seconds=60)


@dataclass
class Claim:
    row: IdempotencyKey | None = None
    replay: tuple[int, dict] | None = None
    conflict: str | None = None  # "in_progress" or "mismatch"


def request_fingerprint(payload) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _insert_if_new(session: Session, form_id: uuid.UUID, key: str, fingerprint: str):
    """INSERT … ON CONFLICT DO NOTHING: a key taken a moment ago is no error to recover from."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(IdempotencyKey.__table__)
        .values(
            id=uuid.uuid4(), form_id=form_id, key=key, request_hash=fingerprint, created_at=utcnow()
        )
        .on_conflict_do_nothing(index_elements=["form_id", "key"])
        .returning(IdempotencyKey.__table__.c.id)
    )
    return session.execute(statement).scalar()


def claim_key(session: Session, form_id: uuid.UUID, key: str, fingerprint: str) -> Claim:
    """Claim `key` for this request, or say why not (replay, mismatch, in progress).

    The caller commits a claim at once, before doing the work, so that a retry sent
    meanwhile sees it (services/__init__.py: the caller owns the transaction).
    """
    new_id = _insert_if_new(session, form_id, key, fingerprint)
    if new_id is not None:
        return Claim(row=session.get(IdempotencyKey, new_id))
    existing = session.execute(
        select(IdempotencyKey).where(IdempotencyKey.form_id == form_id, IdempotencyKey.key == key)
    ).scalar_one()
    if existing.request_hash != fingerprint:
        return Claim(conflict="mismatch")
    if existing.response_status is not None:
        return Claim(replay=(existing.response_status, existing.response_body or {}))
    if utcnow() - existing.created_at > STALE_AFTER:
        existing.created_at = utcnow()
        return Claim(row=existing)
    return Claim(conflict="in_progress")


def finish_key(row: IdempotencyKey, status: int, body: dict) -> None:
    """Record the answer; commits with the work it describes."""
    row.response_status = status
    row.response_body = body


def release_key(session: Session, row: IdempotencyKey) -> None:
    """Forget a claim whose request failed validation, so a corrected retry can proceed."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row.id))
