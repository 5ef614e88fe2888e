"""What the hosted form (/f/<key>) and the JSON capture endpoint share per request.

The form is looked up once per request (the rate limit needs it before the view
runs), both draw on one allowance per form and IP, and a capture is stored,
committed and followed by its notification the same way.
"""

from __future__ import annotations

from flask import current_app, g, request
from redis.exceptions import RedisError

from webapp.extensions import db, limiter
from webapp.jobs import enqueue
from webapp.json_body import request_json
from webapp.net import client_ip
from webapp.services.capture.idempotency import finish_key
from webapp.services.capture.submissions import (
    CaptureOutcome,
    FormSettings,
    capture_submission,
    find_form,
)

MAX_CAPTURE_BYTES = 64 * 1024


def json_body() -> tuple:
    """(body, None) or (None, why not), cached: the rate limit needs the form key first."""
    if "capture_body" not in g:
        g.capture_body = request_json(request) if request.is_json else (None, None)
    return g.capture_body


def form_key() -> str | None:
    if request.view_args and "key" in request.view_args:
        return request.view_args["key"]
    body, _ = json_body()
    from_body = body.get("form_key") if isinstance(body, dict) else None
    key = request.headers.get("X-Form-Key") or from_body
    return key if isinstance(key, str) else None


def current_form() -> FormSettings | None:
    if "capture_form" not in g:
        g.capture_form = find_form(db.session, form_key())
    return g.capture_form


def look_up_the_form() -> None:
    """Before the rate limit asks for it: a database failure here reaches the error
    handlers, where inside the limiter it would be taken for the limiter's own storage
    failing (and retried on a session that can no longer run anything)."""
    if request.method == "POST":
        current_form()


def _rate_limit() -> str:
    form = current_form()
    per_hour = form.rate_limit_per_hour if form else current_app.config["CAPTURE_RATE_LIMIT"]
    return f"{per_hour} per hour"


def _rate_key() -> str:
    form = current_form()
    return f"capture:{form.id if form else 'unknown'}:{client_ip()}"


# Shared: the JSON endpoint and the hosted form draw on one allowance per form and IP.
capture_limit = limiter.shared_limit(
    _rate_limit, scope="capture", key_func=_rate_key, methods=["POST"]
)


def too_large() -> bool:
    if request.content_length is not None:
        return request.content_length > MAX_CAPTURE_BYTES
    return len(request.get_data(cache=True)) > MAX_CAPTURE_BYTES  # chunked upload


def store_and_notify(
    form: FormSettings, body: dict, key_row=None, form_post=False
) -> tuple[int, dict]:
    """Capture one submission and commit; the answer (status, body). Raises ValidationFailed.

    201 for a new lead (and for spam held back: a bot learns nothing), 200 when the
    submission went to the lead that has this email already.
    """
    outcome = capture_submission(
        db.session,
        form,
        body,
        client_ip(),
        request.headers.get("User-Agent"),
        fill_time_required=form_post,
    )
    status = 200 if outcome.lead_id is not None and not outcome.created else 201
    if key_row is not None:
        finish_key(key_row, status, outcome.body)
    # Read what the follow-up needs before the commit expires the objects (no reloads).
    follow_up = _follow_up(form, outcome)
    db.session.commit()
    if follow_up:
        _notify(*follow_up)
    return status, outcome.body


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
