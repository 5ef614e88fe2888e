"""Security headers on every answer.

The Content-Security-Policy runs only the app's own scripts and styles: markup carries
no inline script or style (static/js/app.js reads data- attributes instead), so an
injected <script> or on* attribute would not run even if escaping ever failed. Pages
are not to be framed by other sites, except the hosted capture form, which a customer
may show in an iframe on their own website.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'"
)
FRAMEABLE_BLUEPRINTS = frozenset({"public"})


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Search URLs hold names and e-mail addresses: other sites get no Referer from us.
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.blueprint in FRAMEABLE_BLUEPRINTS:
        headers.setdefault("Content-Security-Policy", CSP)
    else:
        headers.setdefault("Content-Security-Policy", CSP + "; frame-ancestors 'none'")
        headers.setdefault("X-Frame-Options", "DENY")
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(_add_security_headers)
