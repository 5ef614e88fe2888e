"""Error pages: JSON for API clients, HTML for browsers, never a stack trace."""

from __future__ import annotations

import time

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db, limiter

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
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(code: int, message: str, headers=None):
    title = TITLES.get(code, "Error")
    if wants_json():
        response = jsonify({"error": title, "message": message, "status": code})
    else:
        response = render_template("errors/error.html", code=code, title=title, message=message)
    return response, code, headers or {}


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


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(
            400,
            f"The form expired or was not sent from this site ({exc.description}). "
            "Reload the page and try again.",
        )

    app.register_error_handler(HTTPException, http_error)

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

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500, MESSAGES[500])
