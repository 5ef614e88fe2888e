"""Error pages: JSON for API clients, HTML for browsers, never a stack trace.

Services raise NotFound, ValidationFailed and Conflict (webapp/services/errors.py);
the handlers here turn them into 404, 422 and 409 for every view, after rolling
back whatever the request had begun. A page form that re-renders itself with the
messages by its fields catches ValidationFailed itself; everything else lets it
come here.

Every JSON error, whatever its status, has one shape (`api_error`): `error` (a short
title), `message` (for a person), `status`, and `errors` mapping each refused field to
its reasons (`{}` when no field is to blame). The OpenAPI document calls it `Error`.
"""

from __future__ import annotations

import time

import psycopg
from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from webapp.db_outage import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_MESSAGE,
    discard_session,
    is_database_outage,
    note_outage,
    register_session_teardown,
    rollback_or_discard,
)
from webapp.extensions import db, limiter, login_manager
from webapp.services.errors import Conflict, NotFound, ValidationFailed
from webapp.templating import errors_sentence

TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Not valid",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Unavailable",
}


# What a person reads when the code raising the error gave no message of its own:
# Werkzeug's defaults ("You don't have the permission to access the requested
# resource…") speak to developers, not to reps.
MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    401: "Sign in to see this page.",
    403: "Your role in this workspace does not allow this. Ask a workspace admin if you need it.",
    404: "There is nothing here: it may have been deleted, or the link is not right.",
    405: "This page cannot be used that way.",
    409: "Someone changed this meanwhile. Reload the page and try again.",
    413: "What was sent is too large.",
    422: "Some of what was sent is not valid.",
    429: "Too many requests in a short time. Wait a moment and try again.",
    500: "Something went wrong on our side. Try again in a moment.",
    503: "Leadkeeper is unavailable for a moment. Try again shortly.",
}


def message_for(exc: HTTPException) -> str:
    """The error's own description, or ours when it is only Werkzeug's default text."""
    own = exc.description
    if own and own != type(exc).description:
        return own
    return MESSAGES.get(exc.code, TITLES.get(exc.code, "")) if exc.code else (own or "")


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/run/")) or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def field_reasons(errors: dict | None) -> dict[str, list[str]]:
    """{field: [reasons]} from a service's {field: reason} (or already a list)."""
    return {
        str(field): list(reason) if isinstance(reason, list | tuple) else [str(reason)]
        for field, reason in (errors or {}).items()
    }


def errors_message(errors: dict) -> str:
    """One sentence of every refused field: "email: must contain @; phone: …"."""
    return "; ".join(
        f"{field}: {', '.join(reasons)}" for field, reasons in field_reasons(errors).items()
    )


def api_error(code: int, message: str, errors: dict | None = None, headers=None, **extra):
    """The one JSON error answer; `extra` adds documented fields (e.g. current_status)."""
    body = {
        "error": TITLES.get(code, "Error"),
        "message": message,
        "status": code,
        "errors": field_reasons(errors),
        **extra,
    }
    return jsonify(body), code, headers or {}


def error_response(code: int, message: str, headers=None):
    if wants_json():
        return api_error(code, message, headers=headers)
    title = TITLES.get(code, "Error")
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return page, code, headers or {}


SERVICE_ERRORS = {NotFound: 404, ValidationFailed: 422, Conflict: 409}


def service_error(exc: Exception):
    """A service's NotFound / ValidationFailed / Conflict as a 404 / 422 / 409."""
    rollback_or_discard("after a refused request")
    code = next(c for kind, c in SERVICE_ERRORS.items() if isinstance(exc, kind))
    errors = exc.errors if isinstance(exc, ValidationFailed) else None
    if wants_json():
        message = errors_message(errors) if errors else (str(exc) or TITLES[code])
        return api_error(code, message, errors)
    message = errors_sentence(errors) + "." if errors else (str(exc) or TITLES[code])
    return error_response(code, message)


def limit_reset_in() -> int | None:
    """Seconds until the rate limit this request hit lets the next one through."""
    try:
        current = limiter.current_limit
        return max(1, int(current.reset_at - time.time())) if current else None
    except Exception:  # the limiter's storage is unreachable: no hint rather than a 500
        return None


def retry_after(exc: HTTPException) -> str | None:
    """The Retry-After of a 429: the limiter's own, else when the limit lets one through."""
    if exc.response is not None and exc.response.headers.get("Retry-After"):
        return exc.response.headers["Retry-After"]
    if seconds := getattr(exc, "retry_after", None) or limit_reset_in():
        return str(seconds)
    return None


def http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    headers = {}
    if exc.code == 429 and (seconds := retry_after(exc)):
        headers["Retry-After"] = seconds
    if exc.code == 405 and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(exc.code, message_for(exc), headers)


def database_unavailable(exc: Exception):
    """A short 503 of ours while the database is unreachable; no stack trace, no retry storm."""
    note_outage("handling the request", exc)
    discard_session()
    # The page must not reach for the database again (the signed-in user, their
    # workspaces): it is shown as to a signed-out visitor.
    g._login_user = login_manager.anonymous_user()
    g.membership, g.workspace, g.memberships = None, None, []
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        return api_error(503, UNAVAILABLE_MESSAGE, headers=headers)
    try:
        return error_response(503, UNAVAILABLE_MESSAGE, headers)
    except Exception:  # the page itself failed: a plain one rather than the server's
        return f"503 Unavailable: {UNAVAILABLE_MESSAGE}\n", 503, headers


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(
            400,
            f"The form expired or was not sent from this site ({exc.description}). "
            "Reload the page and try again.",
        )

    app.register_error_handler(HTTPException, http_error)
    for kind in SERVICE_ERRORS:
        app.register_error_handler(kind, service_error)

    @app.errorhandler(DataError)
    def unstorable_value(exc: DataError):
        # Input checks refuse such values by field; this is the net under the rest
        # (a NUL character in a search, say): the client's fault, so a 400, not a 500.
        # The driver's message may quote the value; the log gets only its kind.
        app.logger.warning(
            "%s %s: a value the database cannot take (%s)",
            request.method,
            request.path,
            type(exc.orig).__name__,
        )
        db.session.rollback()
        return error_response(400, "A value in the request cannot be stored or searched.")

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    @app.errorhandler(psycopg.Error)  # the raw-SQL insert's driver errors, unwrapped
    def database_error(exc: Exception):
        if is_database_outage(exc):
            return database_unavailable(exc)
        return unexpected_error(exc)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if is_database_outage(exc):  # e.g. a session used again after its connection died
            return database_unavailable(exc)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        rollback_or_discard("after an unhandled error")
        return error_response(500, MESSAGES[500])

    register_session_teardown(app)
