"""Provider config precedence, the industry → platform map, delivery defaults, demo wiring."""

from __future__ import annotations

import pytest

from webapp.models.providers import DEFAULT_PLATFORMS, PlatformRoute
from webapp.providers.config import ProviderNotConfigured, provider_config
from webapp.services.errors import Conflict
from webapp.services.pipeline_settings import (
    delete_platform_route,
    delivery_settings,
    ensure_platform_routes,
    mask_key,
    platform_route_for,
    platform_routes,
)
from webapp.services.pipeline_settings.demo import SANDBOX_KEY, wire_to_sandbox


def test_provider_config_prefers_the_workspace_then_the_environment(db, factory, monkeypatch):
    workspace, other = factory.workspace(), factory.workspace()
    for var in ("INTENT_API_URL", "INTENT_API_KEY", "CONTACTS_API_URL"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ProviderNotConfigured, match="INTENT_API_URL"):
        provider_config(db.session, workspace.id, "intent")
    monkeypatch.setenv("INTENT_API_URL", "https://api.datashopper.example/v1")
    monkeypatch.setenv("INTENT_API_KEY", "env-key")
    config = provider_config(db.session, workspace.id, "intent")
    assert (config.base_url, config.api_key) == ("https://api.datashopper.example/v1", "env-key")
    factory.provider_setting(workspace, "intent", base_url="https://mine.example/v1",
                             api_key="mine", options={"timeout": 3})  # fmt: skip
    config = provider_config(db.session, workspace.id, "intent")
    assert (config.base_url, config.api_key, config.timeout) == ("https://mine.example/v1",
                                                                 "mine", 3.0)  # fmt: skip
    assert provider_config(db.session, other.id, "intent").api_key == "env-key"
    with pytest.raises(ProviderNotConfigured):
        provider_config(db.session, workspace.id, "contacts")
    with pytest.raises(ValueError):
        provider_config(db.session, workspace.id, "telepathy")


def test_routes_are_seeded_once_and_chosen_by_industry(db, factory):
    workspace = factory.workspace()
    routes = platform_routes(db.session, workspace.id)
    assert {r.industry: r.platform_name for r in routes} == DEFAULT_PLATFORMS
    assert routes[-1].is_default and ensure_platform_routes(db.session, workspace.id) == []
    assert platform_route_for(db.session, workspace.id, "Finance").platform_name == (
        "finance-platform"
    )
    assert platform_route_for(db.session, workspace.id, " healthcare ").platform_name == (
        "healthcare-platform"
    )
    for industry in ("Logistics", "", None, "Default"):
        assert platform_route_for(db.session, workspace.id, industry).platform_name == (
            "general-platform"
        )
    retail = next(r for r in routes if r.industry == "Retail")
    retail.active = False
    assert platform_route_for(db.session, workspace.id, "Retail").is_default
    default = routes[-1]
    with pytest.raises(Conflict):
        delete_platform_route(db.session, workspace.id, default.id)
    other = factory.workspace()
    assert platform_route_for(db.session, other.id, "Finance").workspace_id == other.id


def test_routes_take_their_url_from_platforms_api_url(db, factory, monkeypatch):
    monkeypatch.setenv("PLATFORMS_API_URL", "https://platforms.example.com/in/")
    workspace = factory.workspace()
    route = platform_route_for(db.session, workspace.id, "Technology")
    assert route.url == "https://platforms.example.com/in/tech-platform"


def test_routes_take_their_url_from_the_workspaces_platforms_provider(db, factory):
    workspace = factory.workspace()
    factory.provider_setting(workspace, "platforms", base_url="https://crm.example.com/up")
    route = platform_route_for(db.session, workspace.id, "Marketing")
    assert route.url == "https://crm.example.com/up/marketing-platform"


def test_delivery_defaults_are_not_stored_until_saved(db, factory):
    workspace = factory.workspace()
    row = delivery_settings(db.session, workspace.id)
    assert (row.email_recipients, row.email_transport, row.slack_webhook_url) == ([], "smtp", None)
    assert row.webhooks_enabled and row not in db.session


def test_mask_key_shows_only_the_last_four():
    assert mask_key("sk_live_abcdefgh1234") == "••••1234"
    assert mask_key("short") == "••••" and mask_key(None) == "" and mask_key("") == ""


def test_demo_wiring_points_everything_at_the_sandbox_and_spares_admins_choices(db, factory):
    workspace = factory.workspace()
    factory.provider_setting(workspace, "contacts", base_url="https://api.clay.example/v1")
    wire_to_sandbox(db.session, workspace.id, "http://127.0.0.1:5000/sandbox/", "a@example.com")
    db.session.commit()
    intent = provider_config(db.session, workspace.id, "intent")
    assert intent.base_url == "http://127.0.0.1:5000/sandbox/intent/v1"
    assert intent.api_key == SANDBOX_KEY
    assert provider_config(db.session, workspace.id, "contacts").base_url == (
        "https://api.clay.example/v1"
    )
    delivery = delivery_settings(db.session, workspace.id)
    assert delivery.email_recipients == ["a@example.com"] and delivery.email_transport == "api"
    assert delivery.slack_webhook_url.startswith("http://127.0.0.1:5000/sandbox/slack/")
    urls = {r.platform_name: r.url for r in db.session.execute(db.select(PlatformRoute)).scalars()}
    assert urls["tech-platform"] == "http://127.0.0.1:5000/sandbox/platforms/tech-platform"

    # Loaded again on another port: the sandbox's own addresses follow.
    wire_to_sandbox(db.session, workspace.id, "http://127.0.0.1:8000/sandbox", "a@example.com")
    db.session.commit()
    assert provider_config(db.session, workspace.id, "email_api").base_url == (
        "http://127.0.0.1:8000/sandbox/email"
    )
