"""Where a provider lives for a workspace: its settings row, else the environment."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

DEFAULT_TIMEOUT = 10.0

# provider name → (URL variable, key variable, what it is)
PROVIDERS: dict[str, tuple[str, str, str]] = {
    "intent": ("INTENT_API_URL", "INTENT_API_KEY", "Intent data (DataShopper-shaped)"),
    "contacts": ("CONTACTS_API_URL", "CONTACTS_API_KEY", "Contacts (Clay-shaped)"),
    "email_api": ("EMAIL_API_URL", "EMAIL_API_KEY", "E-mail API (Resend-shaped)"),
    "platforms": ("PLATFORMS_API_URL", "PLATFORMS_API_KEY", "Platform uploads (default)"),
}
PROVIDER_NAMES = tuple(PROVIDERS)


class ProviderNotConfigured(LookupError):
    """Neither the workspace's settings nor the environment say where a provider is."""

    def __init__(self, name: str):
        url_var = PROVIDERS.get(name, ("?",))[0]
        super().__init__(
            f"The {name} provider is not configured: set it in Settings → Providers "
            f"or set {url_var}."
        )
        self.provider = name


@dataclass(frozen=True)
class ProviderConfig:
    base_url: str
    api_key: str | None = field(default=None, repr=False)  # never in a repr or a log
    timeout: float = DEFAULT_TIMEOUT


def _env_timeout() -> float:
    try:
        return float(os.environ.get("PROVIDER_TIMEOUT_SECONDS", "") or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT


def provider_config(session: Session, workspace_id: uuid.UUID, name: str) -> ProviderConfig:
    """The workspace's setting for `name`, else INTENT_API_URL-style env vars, else raise."""
    if name not in PROVIDERS:
        raise ValueError(f"unknown provider {name!r}; one of {', '.join(PROVIDERS)}")
    from webapp.models.providers import ProviderSetting

    row = session.scalar(
        select(ProviderSetting).where(
            ProviderSetting.workspace_id == workspace_id, ProviderSetting.provider == name
        )
    )
    if row is not None and row.base_url:
        timeout = (row.options or {}).get("timeout")
        return ProviderConfig(
            row.base_url, row.api_key or None, float(timeout) if timeout else _env_timeout()
        )
    url_var, key_var, _ = PROVIDERS[name]
    url = os.environ.get(url_var, "").strip()
    if url:
        return ProviderConfig(url, os.environ.get(key_var, "").strip() or None, _env_timeout())
    raise ProviderNotConfigured(name)
