"""API tokens: make one (the secret is returned once), check one, revoke, list."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.models.api_tokens import SCOPE_ALL, SCOPES, ApiToken
from webapp.models.base import utcnow
from webapp.services.errors import ValidationFailed
from webapp.services.scoping import get_owned

TOKEN_MARK = "lk_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 10  # "lk_" and 7 characters of the secret: enough to tell tokens apart
MAX_NAME_LENGTH = 120
MAX_TOKEN_LENGTH = 200
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # the only time the plain token exists outside the client


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    workspace_id: uuid.UUID,
    name: str,
    created_by_id: uuid.UUID | None,
    scopes: str = SCOPE_ALL,
) -> NewToken:
    """Make a token for the workspace. The caller commits and shows `secret` once.

    `scopes`: "all" (every endpoint) or "target_client" (only /run/target-client/…).
    """
    scopes = (scopes or SCOPE_ALL).strip()
    if scopes not in SCOPES:
        raise ValidationFailed({"scopes": f"must be one of {', '.join(SCOPES)}"})
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": "is required"})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed({"name": f"must be at most {MAX_NAME_LENGTH} characters"})
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace_id=workspace_id,
        name=name,
        token_prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        created_by_id=created_by_id,
        created_at=utcnow(),
        scopes=scopes,
    )
    session.add(token)
    session.flush()
    return NewToken(token=token, secret=secret)


def authenticate(session: Session, secret: str | None) -> ApiToken | None:
    """The active token for this secret, or None.

    The lookup is by SHA-256 of the secret, so timing reveals nothing about
    stored secrets; the final compare is constant-time all the same.
    """
    if not secret or not secret.startswith(TOKEN_MARK) or len(secret) > MAX_TOKEN_LENGTH:
        return None
    wanted = hash_secret(secret)
    token = session.execute(select(ApiToken).where(ApiToken.token_hash == wanted)).scalar()
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    if token.revoked_at is not None:
        return None
    return token


def touch_last_used(session: Session, token: ApiToken, now: datetime | None = None) -> bool:
    """Record use at most once a minute; True when a write happened (caller commits)."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    threshold = now - LAST_USED_RESOLUTION
    # Conditional UPDATE: of concurrent requests only one writes within the minute.
    result = session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < threshold),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    # Keep the object in step without making the ORM write it a second time.
    set_committed_value(token, "last_used_at", now)
    return bool(result.rowcount)


def revoke_token(session: Session, workspace_id: uuid.UUID, token_id) -> ApiToken:
    """Revoke a token of this workspace (again is harmless); NotFound for any other id."""
    token = get_owned(session, ApiToken, workspace_id, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def list_tokens(session: Session, workspace_id: uuid.UUID) -> list[ApiToken]:
    """The workspace's tokens, active first, newest first."""
    return list(
        session.execute(
            select(ApiToken)
            .where(ApiToken.workspace_id == workspace_id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
        .scalars()
        .all()
    )
