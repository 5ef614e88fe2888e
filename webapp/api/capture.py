"""Public lead capture: POST /api/v1/leads (JSON), and its CORS preflight.

No token, session or CSRF: forms post from customers' websites. Abuse is held off by
the per-form rate limit (per IP, shared with the hosted form), the honeypot and the
fill time; docs/contracts.md has the contract. Errors use the API's one shape.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, make_response, request

from webapp.api.schemas import CaptureRequest
from webapp.api.validation import NOT_AN_OBJECT, validated
from webapp.blueprints.capture_flow import (
    capture_limit,
    current_form,
    form_key,
    json_body,
    look_up_the_form,
    store_and_notify,
    too_large,
)
from webapp.errors import api_error, errors_message
from webapp.extensions import db
from webapp.models.forms import CaptureForm
from webapp.services.capture.idempotency import (
    MAX_KEY_LENGTH,
    claim_key,
    release_key,
    request_fingerprint,
)
from webapp.services.capture.submissions import FormSettings, find_form
from webapp.services.errors import ValidationFailed

bp = Blueprint("capture", __name__)
bp.before_request(look_up_the_form)
CORS_MAX_AGE = "600"
IDEMPOTENCY = "Idempotency-Key"


def _origin_allowed(form: FormSettings | None, origin: str | None) -> bool:
    return bool(form and origin and origin.rstrip("/") in (form.allowed_origins or []))


def _cors(response, origin: str | None):
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response


@bp.route("/leads", methods=["OPTIONS"], provide_automatic_options=False)
def capture_preflight():
    """CORS preflight: a browser asks before posting JSON from a form's website."""
    origin = request.headers.get("Origin", "").rstrip("/")
    forms = db.session.execute(
        db.select(CaptureForm.allowed_origins).where(CaptureForm.active.is_(True))
    ).scalars()
    if not origin or not any(origin in (allowed or []) for allowed in forms):
        return make_response("", 403)
    response = _cors(make_response("", 204), origin)
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Form-Key, Idempotency-Key"
    response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response


@bp.post("/leads")
@capture_limit
def capture_lead():
    if too_large():
        return api_error(413, "The request body is larger than 64 KB.")
    body, problem = json_body()
    if not isinstance(body, dict):
        return api_error(400, problem or NOT_AN_OBJECT)
    form = current_form() or find_form(db.session, form_key())
    if form is None:
        return api_error(404, "Unknown or missing form key (X-Form-Key header or form_key).")
    origin = request.headers.get("Origin")
    if origin and not _origin_allowed(form, origin):
        return api_error(403, "This website is not allowed to post to this form.")
    return _capture_once(form, body, request.headers.get(IDEMPOTENCY))


@bp.after_request
def allow_the_forms_website(response):
    """Every answer to an allowed website carries CORS, errors and 429s too: without it
    the browser hides the answer from the form's script, which then cannot say why."""
    if request.endpoint == "api.capture.capture_lead" and request.method == "POST":
        origin = request.headers.get("Origin")
        if _origin_allowed(g.get("capture_form"), origin):
            _cors(response, origin)
    return response


def _capture_once(form: FormSettings, body: dict, key: str | None):
    if key is None:
        return _capture(form, body)
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        reason = f"must be 1 to {MAX_KEY_LENGTH} characters"
        return api_error(422, f"{IDEMPOTENCY}: {reason}", {IDEMPOTENCY: reason})
    claim = claim_key(db.session, form.id, key, request_fingerprint(body))
    db.session.commit()  # a retry sent while this one works must see the claim
    if claim.conflict == "mismatch":
        reason = "was already used with a different body"
        return api_error(422, f"{IDEMPOTENCY}: {reason}", {IDEMPOTENCY: reason})
    if claim.conflict == "in_progress":
        return api_error(409, f"A request with this {IDEMPOTENCY} is still being handled.")
    if claim.replay is not None:
        status, answer = claim.replay
        return make_response(jsonify(answer), status)
    response = _capture(form, body, claim.row)
    if response.status_code >= 400:
        release_key(db.session, claim.row)
        db.session.commit()
    return response


def _capture(form: FormSettings, body: dict, key_row=None):
    try:
        validated(CaptureRequest, body)  # the declared shape first, then the domain's rules
        status, answer = store_and_notify(form, body, key_row)
    except ValidationFailed as exc:
        db.session.rollback()
        message = f"The lead was not captured: {errors_message(exc.errors)}."
        return make_response(api_error(422, message, exc.errors))
    return make_response(jsonify(answer), status)
