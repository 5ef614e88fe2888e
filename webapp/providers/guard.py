"""Outbound calls to providers, Slack and platforms: private addresses refused when sent.

Settings refuse a private URL when it is saved; this checks again on every call, so a URL
saved while the sandbox was on, or a host that resolves elsewhere later, is not called.
"""

from __future__ import annotations

from flask import current_app, has_app_context

from webapp.services.webhooks.urls import check_webhook_url


def private_allowed() -> bool:
    config = current_app.config
    return bool(
        config.get("WEBHOOKS_ALLOW_PRIVATE")
        or config.get("SANDBOX_PROVIDERS")
        or config.get("PROVIDERS_ALLOW_PRIVATE")
    )


def check_outbound(url: str) -> None:
    """ValueError (saying why) when `url` may not be called from here."""
    if has_app_context() and not private_allowed():
        check_webhook_url(url, allow_private=False)
