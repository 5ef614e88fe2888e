"""The JSON API (bearer tokens) and its OpenAPI document.

Every call but the document carries `Authorization: Bearer <token>`; the
token's workspace scopes everything, so another workspace's lead is a 404.
Cookies are never consulted here, which is why CSRF does not apply.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, g, jsonify, request

from webapp.errors import error_response
from webapp.extensions import csrf, db, limiter
from webapp.json_body import request_json
from webapp.models import Lead
from webapp.models.api_tokens import ApiToken
from webapp.models.leads import STATUSES
from webapp.net import client_ip
from webapp.openapi import openapi_document
from webapp.services.accounts.api_tokens import authenticate, hash_secret, touch_last_used
from webapp.services.api_leads import (
    activity_json,
    lead_detail,
    lead_summary,
    list_leads,
    parse_lead_query,
    recent_activities,
    timestamp,
)
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.leads.changes import (
    StatusConflict,
    assign_lead,
    change_status,
    log_client_activity,
)
from webapp.tenancy import parse_uuid, scoped

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

REALM = 'Bearer realm="leadkeeper"'
PUBLIC_ENDPOINTS = {"api.openapi_json"}


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


# Shared: one allowance per token across every endpoint, not one per endpoint.
limiter.shared_limit(_api_rate_limit, scope="api", key_func=_rate_limit_key)(bp)


@bp.after_request
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


def _unauthorized(message: str, invalid: bool):
    challenge = REALM + (', error="invalid_token"' if invalid else "")
    return error_response(401, message, {"WWW-Authenticate": challenge})


@bp.before_request
def require_token():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    secret = bearer_secret()
    if secret is None:
        return _unauthorized("Send an API token as 'Authorization: Bearer <token>'.", False)
    token = authenticate(db.session, secret)
    if token is None:
        return _unauthorized("The API token is not valid or was revoked.", True)
    if touch_last_used(db.session, token):
        db.session.commit()
    g.api_token = token
    return None


@bp.after_request
def keep_out_of_caches(response):
    # Answers carry personal data; no shared or browser cache should keep them.
    if request.endpoint not in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ValidationFailed)
def validation_failed(exc: ValidationFailed):
    db.session.rollback()
    return jsonify({"errors": exc.errors}), 422


def _token() -> ApiToken:
    return g.api_token


def _actor_id() -> uuid.UUID | None:
    """API changes are recorded as done by the admin who made the token."""
    return _token().created_by_id


def _json_object() -> dict:
    body, problem = request_json(request)
    if not isinstance(body, dict):
        abort(400, problem or "The body must be a JSON object.")
    return body


def _lead(lead_id: str, for_update: bool = False) -> Lead:
    parsed = parse_uuid(lead_id)
    if parsed is None:
        abort(404, "No such lead.")
    query = scoped(Lead, _token().workspace_id).where(Lead.id == parsed)
    if for_update:
        # Concurrent changes to one lead queue up instead of reading stale state.
        query = query.with_for_update(of=Lead)
    lead = db.session.execute(query).scalar()
    if lead is None:
        abort(404, "No such lead.")
    return lead


def _audit(action: str, object_id=None, details: dict | None = None) -> None:
    token = _token()
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


@bp.get("/openapi.json")
@limiter.exempt
def openapi_json():
    return jsonify(openapi_document())


# No automatic OPTIONS: a CORS preflight for this URL belongs to the public capture.
@bp.route("/leads", methods=["GET"], provide_automatic_options=False)
def list_leads_endpoint():
    query = parse_lead_query(request.args)
    leads, total = list_leads(db.session, _token().workspace_id, query)
    _audit(
        "api.leads.listed",
        details={
            "filter": query.filters(),
            "page": query.page,
            "limit": query.limit,
            "count": len(leads),
            "total": total,
        },
    )
    db.session.commit()
    return jsonify(
        {
            "items": [lead_summary(lead) for lead in leads],
            "total": total,
            "page": query.page,
            "limit": query.limit,
        }
    )


@bp.get("/leads/<lead_id>")
def lead_detail_endpoint(lead_id):
    lead = _lead(lead_id)
    activities, activities_total = recent_activities(db.session, lead)
    body = lead_detail(lead, activities, activities_total)
    _audit("api.lead.viewed", lead.id)
    db.session.commit()
    return jsonify(body)


@bp.patch("/leads/<lead_id>/status")
def change_status_endpoint(lead_id):
    body = _json_object()
    lead = _lead(lead_id, for_update=True)
    status, notes = body.get("status"), body.get("notes")
    errors = {}
    if status is None or (isinstance(status, str) and not status.strip()):
        errors["status"] = "is required"
    elif not isinstance(status, str):
        errors["status"] = f"must be one of {', '.join(STATUSES)}"
    if notes is not None and not isinstance(notes, str):
        errors["notes"] = "must be text"
    expected = body.get("expected_status")
    if expected is not None and expected not in STATUSES:
        errors["expected_status"] = f"must be one of {', '.join(STATUSES)}, or null"
    if errors:
        raise ValidationFailed(errors)
    try:
        change_status(db.session, lead, status.strip(), _actor_id(), notes, expected)
    except StatusConflict as exc:
        db.session.rollback()
        body = {"error": "Conflict", "message": str(exc), "status": 409}
        return jsonify({**body, "current_status": exc.current_status}), 409
    db.session.commit()
    return jsonify(
        {"id": str(lead.id), "status": lead.status, "updated_at": timestamp(lead.updated_at)}
    )


@bp.post("/leads/<lead_id>/assign")
def assign_endpoint(lead_id):
    body = _json_object()
    lead = _lead(lead_id, for_update=True)
    if "assigned_to" not in body:
        raise ValidationFailed(
            {"assigned_to": "is required (a member's user id, or null to unassign)"}
        )
    wanted = body["assigned_to"]
    if wanted is not None and (not isinstance(wanted, str) or parse_uuid(wanted) is None):
        raise ValidationFailed({"assigned_to": "must be a user id (a UUID) or null"})
    assign_lead(db.session, lead, wanted, _actor_id())
    db.session.commit()
    return jsonify(
        {
            "id": str(lead.id),
            "assigned_to": str(lead.assigned_to_id) if lead.assigned_to_id else None,
            "updated_at": timestamp(lead.updated_at),
        }
    )


@bp.post("/leads/<lead_id>/activities")
def add_activity_endpoint(lead_id):
    body = _json_object()
    lead = _lead(lead_id, for_update=True)
    activity = log_client_activity(
        db.session, lead, body.get("activity_type"), body.get("description"), _actor_id()
    )
    db.session.commit()
    return jsonify(activity_json(activity)), 201
