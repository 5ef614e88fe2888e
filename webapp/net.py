"""Who is asking and where they may be sent: the client address (honouring only trusted
proxies) and same-site paths to go back to."""

from urllib.parse import urlsplit

from flask import current_app, request


def client_ip() -> str:
    """The client's IP; X-Forwarded-For is believed only with TRUSTED_PROXIES > 0."""
    hops = current_app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to (after sign-in, a Cancel, a Retry), or None: no open
    redirects, no control characters."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
