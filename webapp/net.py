"""Who is asking: the client address, honouring only trusted proxies."""

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
