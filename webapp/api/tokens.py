"""Bearer tokens for the admin API: who is calling, and their rate limit.

Every admin call carries `Authorization: Bearer <token>`; the token's workspace
scopes everything, so another workspace's lead is a 404. Cookies are never
consulted, which is why CSRF does not apply.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, g, request

from webapp.errors import api_error
from webapp.extensions import db, limiter
from webapp.models.api_tokens import SCOPE_ALL, ApiToken
from webapp.net import client_ip
from webapp.services.accounts.api_tokens import authenticate, hash_secret, touch_last_used
from webapp.services.audit import record_audit

REALM = 'Bearer realm="leadkeeper"'


def bearer_secret() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _api_rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _rate_limit_key() -> str:
    # Per token (by its hash: the secret itself never goes to the limiter's storage).
    secret = bearer_secret()
    return f"api-token:{hash_secret(secret)}" if secret else f"api-ip:{client_ip()}"


def _unauthorized(message: str, invalid: bool):
    challenge = REALM + (', error="invalid_token"' if invalid else "")
    return api_error(401, message, headers={"WWW-Authenticate": challenge})


def require_token(scope: str = SCOPE_ALL):
    secret = bearer_secret()
    if secret is None:
        return _unauthorized("Send an API token as 'Authorization: Bearer <token>'.", False)
    token = authenticate(db.session, secret)
    if token is None:
        return _unauthorized("The API token is not valid or was revoked.", True)
    if touch_last_used(db.session, token):
        db.session.commit()
    g.api_token = token
    if not token.allows(scope):
        return api_error(
            403,
            "This API token is limited to the target-client endpoints "
            "(/run/target-client/leads/...); use a token with full access here.",
        )
    return None


def rate_limit_headers(response):
    """Tell API clients where they stand, on a 429 too (the app leaves these off elsewhere)."""
    current = limiter.current_limit
    if current is None:
        return response
    try:
        response.headers["X-RateLimit-Limit"] = str(current.limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(current.remaining)
        response.headers["X-RateLimit-Reset"] = str(int(current.reset_at))
    except Exception:  # storage unreachable: the answer matters more than the hint
        current_app.logger.warning("api: rate limit headers left off (storage unreachable)")
    return response


def keep_out_of_caches(response):
    # Answers carry personal data; no shared or browser cache should keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


def protect(bp: Blueprint, scope: str = SCOPE_ALL) -> None:
    """Token, per-token rate limit (one allowance across endpoints) and no-store on `bp`.

    `scope`: what a token must allow to call `bp` (a full token allows everything).
    """
    limiter.shared_limit(_api_rate_limit, scope="api", key_func=_rate_limit_key)(bp)
    bp.before_request(lambda: require_token(scope))
    bp.after_request(rate_limit_headers)
    bp.after_request(keep_out_of_caches)


def current_token() -> ApiToken:
    return g.api_token


def actor_id() -> uuid.UUID | None:
    """API changes are recorded as done by the admin who made the token."""
    return current_token().created_by_id


def audit(action: str, object_id=None, details: dict | None = None) -> None:
    token = current_token()
    record_audit(
        db.session,
        token.workspace_id,
        token.created_by_id,
        action,
        "lead",
        object_id,
        details={**(details or {}), "api_token_id": str(token.id), "api_token": token.name},
        ip_address=client_ip(),
    )
