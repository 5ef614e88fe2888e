"""Public lead capture: POST /api/v1/leads (JSON) and hosted forms at /f/<key>.

No session or CSRF here: forms are posted from other sites. Abuse is held off
by the per-form rate limit (per IP), the honeypot and the minimum fill time.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from redis.exceptions import RedisError

from webapp.errors import http_error, retry_after
from webapp.extensions import csrf, db, limiter
from webapp.jobs import enqueue
from webapp.json_body import request_json
from webapp.models.forms import CaptureForm
from webapp.net import client_ip
from webapp.services.capture.idempotency import (
    MAX_KEY_LENGTH,
    claim_key,
    finish_key,
    release_key,
    request_fingerprint,
)
from webapp.services.capture.submissions import (
    FILL_TIME_FIELD,
    HONEYPOT_FIELD,
    CaptureOutcome,
    FormSettings,
    capture_submission,
    find_form,
)
from webapp.services.errors import ValidationFailed

bp = Blueprint("public", __name__)
csrf.exempt(bp)

MAX_CAPTURE_BYTES = 64 * 1024
CORS_MAX_AGE = "600"


def _json_body() -> tuple:
    """(body, None) or (None, why not), cached: the rate limit needs the form key first."""
    if "capture_body" not in g:
        g.capture_body = request_json(request) if request.is_json else (None, None)
    return g.capture_body


def _form_key() -> str | None:
    if request.view_args and "key" in request.view_args:
        return request.view_args["key"]
    body, _ = _json_body()
    from_body = body.get("form_key") if isinstance(body, dict) else None
    key = request.headers.get("X-Form-Key") or from_body
    return key if isinstance(key, str) else None


def _form() -> FormSettings | None:
    if "capture_form" not in g:
        g.capture_form = find_form(db.session, _form_key())
    return g.capture_form


def _rate_limit() -> str:
    form = _form()
    per_hour = form.rate_limit_per_hour if form else current_app.config["CAPTURE_RATE_LIMIT"]
    return f"{per_hour} per hour"


def _rate_key() -> str:
    form = _form()
    return f"capture:{form.id if form else 'unknown'}:{client_ip()}"


# Shared: the JSON endpoint and the hosted form draw on one allowance per form and IP.
capture_limit = limiter.shared_limit(
    _rate_limit, scope="capture", key_func=_rate_key, methods=["POST"]
)


def _too_large() -> bool:
    if request.content_length is not None:
        return request.content_length > MAX_CAPTURE_BYTES
    return len(request.get_data(cache=True)) > MAX_CAPTURE_BYTES  # chunked upload


def _json_error(status: int, message: str, errors: dict | None = None):
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def _origin_allowed(form: FormSettings | None, origin: str | None) -> bool:
    return bool(form and origin and origin.rstrip("/") in (form.allowed_origins or []))


def _cors(response, origin: str | None):
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response


@bp.route("/api/v1/leads", methods=["OPTIONS"], provide_automatic_options=False)
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


@bp.post("/api/v1/leads")
@capture_limit
def capture_lead():
    if _too_large():
        return _json_error(413, "The request body is larger than 64 KB.")
    body, problem = _json_body()
    if not isinstance(body, dict):
        return _json_error(400, problem or "The body must be a JSON object.")
    form = _form() or find_form(db.session, _form_key())
    if form is None:
        return _json_error(404, "Unknown or missing form key (X-Form-Key header or form_key).")
    origin = request.headers.get("Origin")
    if origin and not _origin_allowed(form, origin):
        return _json_error(403, "This website is not allowed to post to this form.")
    status, answer = _capture_once(form, body, request.headers.get("Idempotency-Key"))
    return make_response(jsonify(answer), status)


@bp.after_request
def allow_the_forms_website(response):
    """Every answer to an allowed website carries CORS, errors and 429s too: without it
    the browser hides the answer from the form's script, which then cannot say why."""
    if request.endpoint == "public.capture_lead" and request.method == "POST":
        origin = request.headers.get("Origin")
        if _origin_allowed(g.get("capture_form"), origin):
            _cors(response, origin)
    return response


def _capture_once(form: FormSettings, body: dict, key: str | None) -> tuple[int, dict]:
    if key is None:
        return _capture(form, body)
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        return 422, {"errors": {"Idempotency-Key": f"must be 1 to {MAX_KEY_LENGTH} characters"}}
    claim = claim_key(db.session, form.id, key, request_fingerprint(body))
    if claim.conflict == "mismatch":
        return 422, {"errors": {"Idempotency-Key": "was already used with a different body"}}
    if claim.conflict == "in_progress":
        return 409, {"error": "A request with this Idempotency-Key is still being handled."}
    if claim.replay is not None:
        return claim.replay
    status, answer = _capture(form, body, claim.row)
    if status != 201:
        release_key(db.session, claim.row)
    return status, answer


def _capture(form: FormSettings, body: dict, key_row=None, form_post=False) -> tuple[int, dict]:
    try:
        outcome = capture_submission(
            db.session,
            form,
            body,
            client_ip(),
            request.headers.get("User-Agent"),
            fill_time_required=form_post,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return 422, {"errors": exc.errors}
    if key_row is not None:
        finish_key(key_row, 201, outcome.body)
    # Read what the follow-up needs before the commit expires the objects (no reloads).
    follow_up = _follow_up(form, outcome)
    db.session.commit()
    if follow_up:
        _notify(*follow_up)
    return 201, outcome.body


def _follow_up(form: FormSettings, outcome: CaptureOutcome) -> tuple | None:
    if outcome.spam_reason:
        current_app.logger.info("capture: form=%s held as spam (%s)", form.id, outcome.spam_reason)
        return None
    if not (form.notification_emails or form.slack_webhook_url):
        return None
    return str(form.workspace_id), str(form.id), str(outcome.lead_id), outcome.created


def _notify(workspace_id: str, form_id: str, lead_id: str, created: bool) -> None:
    try:
        enqueue(
            "forms.notify",
            form_id,
            lead_id,
            created,
            workspace_id=workspace_id,
            subject=("lead", lead_id),
        )
    except (RedisError, OSError) as exc:
        # The lead is stored; only the heads-up is lost, and the log says so.
        current_app.logger.warning("capture: notification not queued for lead %s: %s", lead_id, exc)
    except Exception:
        current_app.logger.exception("capture: notification failed for lead %s", lead_id)


@bp.errorhandler(429)
def too_many_submissions(exc):
    """A visitor of the hosted form is told on the form's own page, not the app's."""
    form = _form() if request.endpoint == "public.hosted_form_post" else None
    if form is None:
        return http_error(exc)
    seconds = retry_after(exc)
    wait = f"in {max(1, round(int(seconds) / 60))} minutes" if seconds else "later"
    values = {k: v for k, v in request.form.items() if k not in (HONEYPOT_FIELD, FILL_TIME_FIELD)}
    page = render_template(
        "public/form.html",
        form=form,
        values=values,
        errors={"form": f"was sent too often from your address; please try again {wait}"},
        loaded_at=int(time.time() * 1000),
    )
    return page, 429, {"Retry-After": seconds} if seconds else {}


@bp.get("/f/<key>")
def hosted_form(key):
    form = find_form(db.session, key)
    if form is None:
        return render_template("public/missing.html"), 404
    return render_template(
        "public/form.html", form=form, values={}, errors={}, loaded_at=int(time.time() * 1000)
    )


@bp.post("/f/<key>")
@capture_limit
def hosted_form_post(key):
    form = _form()
    if form is None:
        return render_template("public/missing.html"), 404
    if _too_large():
        return render_template(
            "public/form.html",
            form=form,
            values={},
            loaded_at=int(time.time() * 1000),
            errors={"form": "is larger than 64 KB"},
        ), 413
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    status, answer = _capture(form, values, form_post=True)
    if status == 422:
        shown = {k: v for k, v in values.items() if k not in (HONEYPOT_FIELD, FILL_TIME_FIELD)}
        return render_template(
            "public/form.html",
            form=form,
            values=shown,
            errors=answer["errors"],
            loaded_at=values.get(FILL_TIME_FIELD),
        ), 422
    if form.thank_you_url:
        return redirect(form.thank_you_url, 303)
    return render_template("public/thanks.html", form=form)
