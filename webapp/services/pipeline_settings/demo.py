"""Pointing a workspace's pipeline at the sandbox provider (`make run`'s demo workspace)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.models.providers import ProviderSetting
from webapp.services.pipeline_settings.delivery import delivery_settings
from webapp.services.pipeline_settings.platforms import platform_routes
from webapp.services.pipeline_settings.providers import provider_settings

SANDBOX_KEY = "sandbox-demo-key"  # noqa: S105  (the sandbox takes any key)
SANDBOX_PATHS = {
    "intent": "/intent/v1",
    "contacts": "/contacts/v1",
    "email_api": "/email",
    "platforms": "/platforms",
}


def _ours(url: str | None) -> bool:
    """Unset, or a sandbox address written earlier (perhaps on another port): ours to write."""
    return not url or "/sandbox" in url


def wire_to_sandbox(
    session: Session, workspace_id: uuid.UUID, sandbox_url: str, recipient: str
) -> None:
    """Providers, delivery and platform routes at `sandbox_url` (e.g. BASE_URL + /sandbox).

    Settings an admin pointed elsewhere are left alone; the sandbox's own are refreshed.
    """
    sandbox_url = sandbox_url.rstrip("/")
    saved = provider_settings(session, workspace_id)
    for name, path in SANDBOX_PATHS.items():
        row = saved.get(name)
        if row is None:
            row = ProviderSetting(workspace_id=workspace_id, provider=name, options={})
            session.add(row)
        elif not _ours(row.base_url):
            continue
        row.base_url = sandbox_url + path
        row.api_key = SANDBOX_KEY
    delivery = delivery_settings(session, workspace_id)
    if delivery not in session:
        session.add(delivery)
        delivery.email_recipients = [recipient]
        delivery.email_transport = "api"
        delivery.webhooks_enabled = True
    if _ours(delivery.slack_webhook_url):
        delivery.slack_webhook_url = sandbox_url + "/slack/demo-workspace"
    for route in platform_routes(session, workspace_id):
        if _ours(route.url):
            route.url = f"{sandbox_url}/platforms/{route.platform_name}"
            route.api_key = SANDBOX_KEY
    session.flush()
