"""Provider settings: a base URL, a write-only key and a timeout per provider."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models.providers import ProviderSetting
from webapp.providers.config import DEFAULT_TIMEOUT, PROVIDERS, ProviderConfig
from webapp.providers.http import ProviderError, call
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.pipeline_settings.urls import clean_key, clean_url, mask_key

MIN_TIMEOUT, MAX_TIMEOUT = 1.0, 120.0
TEST_TIMEOUT = 5.0


def provider_settings(session: Session, workspace_id: uuid.UUID) -> dict[str, ProviderSetting]:
    """The workspace's saved settings by provider name (missing ones are absent)."""
    rows = session.scalars(
        select(ProviderSetting).where(ProviderSetting.workspace_id == workspace_id)
    )
    return {row.provider: row for row in rows}


def _timeout(value) -> float | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError("must be a number of seconds") from None
    if not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
        raise ValueError(f"must be between {MIN_TIMEOUT:g} and {MAX_TIMEOUT:g} seconds")
    return seconds


def save_provider_setting(
    session: Session,
    workspace_id: uuid.UUID,
    name: str,
    data: dict,
    allow_private: bool = False,
) -> ProviderSetting | None:
    """Create, update or (an empty URL) remove a provider's setting.

    `data`: base_url, api_key (blank or the saved key's mask keeps it), clear_key (truthy
    removes it), timeout (seconds, blank for the default). Answers the row, or None when removed.
    """
    if name not in PROVIDERS:
        raise NotFound("provider")
    errors: dict[str, str] = {}
    row = provider_settings(session, workspace_id).get(name)
    url = key = timeout = None
    try:
        url = clean_url(data.get("base_url"), allow_private, required=False)
    except ValueError as exc:
        errors["base_url"] = str(exc)
    try:
        key = clean_key(data.get("api_key"), row.api_key if row is not None else None)
    except ValueError as exc:
        errors["api_key"] = str(exc)
    try:
        timeout = _timeout(data.get("timeout"))
    except ValueError as exc:
        errors["timeout"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    if url is None:
        if row is not None:
            session.delete(row)
        return None
    if row is None:
        row = ProviderSetting(workspace_id=workspace_id, provider=name, options={})
        session.add(row)
    row.base_url = url
    if data.get("clear_key"):
        row.api_key = None
    elif key:
        row.api_key = key
    options = dict(row.options or {})
    if timeout is None:
        options.pop("timeout", None)
    else:
        options["timeout"] = timeout
    row.options = options
    return row


def test_provider_connection(name: str, config: ProviderConfig) -> tuple[bool, str]:
    """One light, side-effect-free call (no retries, short timeout): (worked, what happened)."""
    quick = ProviderConfig(config.base_url, config.api_key, min(config.timeout, TEST_TIMEOUT))
    try:
        if name == "intent":
            call(name, quick, "POST", "companies/search",
                 json={"topic": "connection test", "limit": 1}, max_retries=0)  # fmt: skip
        elif name == "contacts":
            call(name, quick, "POST", "verify/email",
                 json={"email": "connection-test@example.com"}, max_retries=0)  # fmt: skip
        elif name == "email_api":
            call(name, quick, "GET", "domains", max_retries=0)
        else:
            call(name, quick, "GET", "", max_retries=0)
    except ProviderError as exc:
        return False, str(exc)
    return True, "The provider answered."


__all__ = ["DEFAULT_TIMEOUT", "mask_key", "provider_settings", "save_provider_setting"]
