"""URL and key rules for provider, Slack and platform settings (the outbound guard's, reused)."""

from __future__ import annotations

from urllib.parse import urlsplit

from webapp.providers.guard import check_outbound_url, checked_addresses
from webapp.services.errors import has_nul
from webapp.services.webhooks.urls import MAX_URL_LENGTH

MAX_KEY_LENGTH = 500


def clean_url(value: str | None, allow_private: bool, *, required: bool = True) -> str | None:
    """The URL trimmed, or ValueError with the reason (http(s), resolves, public unless allowed).

    The outbound guard's own rule and words (webapp/providers/guard.py): what is saved is
    what may be called, and a refusal names the same switch, PROVIDERS_ALLOW_PRIVATE.
    """
    text = (value or "").strip()
    if not text:
        if required:
            raise ValueError("is required")
        return None
    if has_nul(text):
        raise ValueError(f"must be a URL of at most {MAX_URL_LENGTH} characters")
    check_outbound_url(text)
    parts = urlsplit(text)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValueError("has an invalid port") from None
    checked_addresses(parts.hostname, port, allow_private)
    return text.rstrip("/") if text.count("/") > 2 else text


def mask_key(key: str | None) -> str:
    """What the UI shows of a key: its last four characters, or nothing."""
    if not key:
        return ""
    return "••••" + key[-4:] if len(key) > 8 else "••••"


def clean_key(value: str | None, saved: str | None = None) -> str | None:
    """The new key to store, or None to keep `saved` (a blank field, or its mask sent back).

    A key travels in an HTTP header, so it must be printable ASCII without spaces:
    anything else is a ValueError saying so (never stored, so never a failed call).
    """
    text = (value or "").strip()
    if not text or (saved and text == mask_key(saved)):
        return None
    if len(text) > MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in text):
        raise ValueError(
            f"must be at most {MAX_KEY_LENGTH} characters of printable ASCII, without spaces"
        )
    return text


def mask_secret_url(url: str | None) -> str:
    """What the UI shows of a URL that is itself the credential (a Slack incoming webhook):
    its scheme and host and the last four characters, e.g. https://hooks.slack.com/…/••••Xy12."""
    if not url:
        return ""
    parts = urlsplit(url)
    tail = url[-4:] if len(url) - len(f"{parts.scheme}://{parts.netloc}") > 8 else ""
    return f"{parts.scheme}://{parts.netloc}/…/••••{tail}"
