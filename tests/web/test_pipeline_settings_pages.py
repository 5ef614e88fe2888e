"""Settings → Providers, Delivery and Platforms: admins only, per workspace, keys write-only."""

from __future__ import annotations

import logging

import pytest

from webapp.models.audit import AuditLog
from webapp.models.providers import DeliverySettings, PlatformRoute, ProviderSetting
from webapp.providers.config import provider_config

SECRET = "sk_live_abcdefgh12345678"


@pytest.fixture()
def admin_client(client, factory, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)  # the sandbox is local
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    client.workspace = workspace
    return client


def _audit_text(db) -> str:
    rows = db.session.execute(db.select(AuditLog)).scalars().all()
    return repr([(r.action, r.details) for r in rows])


def test_reps_get_403_on_every_page_and_post(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    route = factory.platform_route(workspace)
    for path in ("/settings/providers", "/settings/delivery", "/settings/platforms"):
        assert client.get(path).status_code == 403
    for path in (
        "/settings/providers/intent",
        "/settings/providers/intent/test",
        "/settings/delivery",
        "/settings/platforms",
        f"/settings/platforms/{route.id}",
        f"/settings/platforms/{route.id}/delete",
    ):
        assert client.post_form(path, {"base_url": "https://x.example.com"}).status_code == 403


def test_settings_index_links_the_three_pages(admin_client):
    page = admin_client.get("/settings").get_data(as_text=True)
    for path in ("/settings/providers", "/settings/delivery", "/settings/platforms"):
        assert f'href="{path}"' in page


def test_provider_key_is_write_only_masked_and_never_audited(admin_client, db, sandbox):
    response = admin_client.post_form(
        "/settings/providers/intent",
        {"base_url": sandbox.base_url("intent"), "api_key": SECRET, "timeout": "7"},
    )
    assert response.status_code == 302
    config = provider_config(db.session, admin_client.workspace.id, "intent")
    assert (config.base_url, config.api_key, config.timeout) == (
        sandbox.base_url("intent"), SECRET, 7.0,
    )  # fmt: skip
    page = admin_client.get("/settings/providers").get_data(as_text=True)
    assert SECRET not in page and "••••5678" in page
    assert SECRET not in _audit_text(db) and "provider.updated" in _audit_text(db)

    # A blank key keeps the saved one; "Remove the saved key" clears it.
    admin_client.post_form(
        "/settings/providers/intent", {"base_url": sandbox.base_url("intent"), "api_key": ""}
    )
    db.session.expire_all()
    assert provider_config(db.session, admin_client.workspace.id, "intent").api_key == SECRET
    admin_client.post_form(
        "/settings/providers/intent",
        {"base_url": sandbox.base_url("intent"), "clear_key": "1"},
    )
    db.session.expire_all()
    assert provider_config(db.session, admin_client.workspace.id, "intent").api_key is None


def test_test_connection_reports_success_and_a_refused_key(admin_client, db, sandbox):
    admin_client.post_form(
        "/settings/providers/contacts",
        {"base_url": sandbox.base_url("contacts"), "api_key": "good-key-123"},
    )
    page = admin_client.post_form("/settings/providers/contacts/test").get_data(as_text=True)
    assert "Connection works." in page
    admin_client.post_form(
        "/settings/providers/contacts",
        {"base_url": sandbox.base_url("contacts"), "api_key": "invalid-key"},
    )
    page = admin_client.post_form("/settings/providers/contacts/test").get_data(as_text=True)
    assert "Connection failed:" in page and "HTTP 401" in page and "invalid-key" not in page
    page = admin_client.post_form("/settings/providers/intent/test").get_data(as_text=True)
    assert "not configured" in page


def test_bad_provider_input_names_the_field_and_keeps_nothing(admin_client, db, app):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = app.config["PROVIDERS_ALLOW_PRIVATE"] = False
    response = admin_client.post_form(
        "/settings/providers/intent",
        {"base_url": "http://127.0.0.1:9/v1", "api_key": SECRET, "timeout": "500"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Base URL resolves to 127.0.0.1" in page and "Timeout must be between" in page
    assert "set PROVIDERS_ALLOW_PRIVATE=1" in page  # the switch the send-time refusal names
    assert SECRET not in page
    assert db.session.execute(db.select(ProviderSetting)).scalar() is None
    app.config["PROVIDERS_ALLOW_PRIVATE"] = True  # ... and setting it lets the URL save
    response = admin_client.post_form(
        "/settings/providers/intent", {"base_url": "http://127.0.0.1:9/v1"}
    )
    assert response.status_code == 302
    db.session.execute(db.delete(ProviderSetting))
    db.session.commit()
    response = admin_client.post_form("/settings/providers/intent", {"base_url": "ftp://x.y"})
    assert "must be an http or https URL" in response.get_data(as_text=True)
    assert admin_client.post_form("/settings/providers/nope", {}).status_code == 404


def test_posts_need_the_csrf_token(admin_client, db):
    for path in ("/settings/providers/intent", "/settings/delivery", "/settings/platforms"):
        response = admin_client.raw.post(path, data={"base_url": "https://x.example.com"})
        assert response.status_code == 400
    assert db.session.execute(db.select(ProviderSetting)).scalar() is None
    assert db.session.execute(db.select(DeliverySettings)).scalar() is None


def test_delivery_settings_saved_validated_and_audited(admin_client, db, sandbox):
    page = admin_client.get("/settings/delivery").get_data(as_text=True)
    assert 'value="smtp" checked' in page
    response = admin_client.post_form(
        "/settings/delivery",
        {
            "email_recipients": "sales@example.com, Boss@Example.com; sales@example.com",
            "email_transport": "api",
            "slack_webhook_url": sandbox.slack_url("T1/B1"),
            "webhooks_enabled": "1",
        },
    )
    assert response.status_code == 302
    row = db.session.execute(db.select(DeliverySettings)).scalar_one()
    assert row.email_recipients == ["sales@example.com", "Boss@example.com"]
    assert (row.email_transport, row.slack_webhook_url, row.webhooks_enabled) == (
        "api", sandbox.slack_url("T1/B1"), True,
    )  # fmt: skip
    assert "delivery.updated" in _audit_text(db)

    response = admin_client.post_form(
        "/settings/delivery",
        {"email_recipients": "not-an-address", "email_transport": "pigeon"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "not-an-address is not a valid address" in page and "must be smtp or api" in page
    db.session.expire_all()
    assert db.session.execute(db.select(DeliverySettings)).scalar_one().email_transport == "api"


SLACK_TOKEN = "T0001/B0002/abcdefghSECRETxyz9"


def _slack_url(db) -> str | None:
    db.session.expire_all()
    return db.session.execute(db.select(DeliverySettings.slack_webhook_url)).scalar_one()


def test_the_slack_webhook_is_shown_masked_kept_replaced_and_cleared(
    admin_client, db, sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    secret = sandbox.slack_url(SLACK_TOKEN)
    form = {"email_recipients": "sales@example.com", "email_transport": "smtp",
            "webhooks_enabled": "1"}  # fmt: skip
    assert admin_client.post_form(
        "/settings/delivery", {**form, "slack_webhook_url": secret}
    ).status_code == 302  # fmt: skip
    assert _slack_url(db) == secret
    page = admin_client.get("/settings/delivery").get_data(as_text=True)
    mask = f"{sandbox.url.split('/sandbox')[0]}/…/••••xyz9"
    assert SLACK_TOKEN not in page and "SECRET" not in page
    assert f"Saved: <code>{mask}</code>" in page and 'name="slack_webhook_url"' in page
    assert "Remove the saved Slack webhook" in page

    # Saved again with the field left empty, or with the mask itself: the URL stays.
    admin_client.post_form("/settings/delivery", {**form, "email_transport": "api"})
    assert _slack_url(db) == secret
    admin_client.post_form("/settings/delivery", {**form, "slack_webhook_url": mask})
    assert _slack_url(db) == secret
    # A bad new URL is refused, not echoed, and the saved one is kept.
    refused = admin_client.post_form(
        "/settings/delivery", {**form, "slack_webhook_url": "ftp://hooks.example.com/S3CR3T"}
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Slack webhook URL must be an http or https URL" in text and "S3CR3T" not in text
    assert _slack_url(db) == secret
    # A new URL replaces it; "Remove" clears it.
    other = sandbox.slack_url("T9/B9/newtokenABCD")
    admin_client.post_form("/settings/delivery", {**form, "slack_webhook_url": other})
    assert _slack_url(db) == other
    admin_client.post_form("/settings/delivery", {**form, "clear_slack": "1"})
    assert _slack_url(db) is None
    page = admin_client.get("/settings/delivery").get_data(as_text=True)
    assert "None saved: nothing is posted to Slack." in page
    assert "Remove the saved Slack webhook" not in page

    audit = _audit_text(db)
    assert "slack_webhook_url" in audit  # the field is named as changed ...
    for leaked in (SLACK_TOKEN, "newtokenABCD", "S3CR3T"):  # ... never its value
        assert leaked not in audit and leaked not in caplog.text


def test_a_refused_platform_form_does_not_echo_the_key(admin_client, db):
    admin_client.get("/settings/platforms")
    route = db.session.execute(
        db.select(PlatformRoute).where(PlatformRoute.industry == "Finance")
    ).scalar_one()
    response = admin_client.post_form(
        f"/settings/platforms/{route.id}",
        {"platform_name": "fin", "api_key": SECRET, "batch_size": "0",
         "rate_limit_per_minute": "1"},
    )  # fmt: skip
    assert response.status_code == 422 and SECRET not in response.get_data(as_text=True)
    response = admin_client.post_form(
        "/settings/platforms",
        {"industry": "Logistics", "platform_name": "", "api_key": SECRET, "batch_size": "1",
         "rate_limit_per_minute": "1"},
    )  # fmt: skip
    assert response.status_code == 422 and SECRET not in response.get_data(as_text=True)


def test_platforms_page_seeds_the_industry_map_and_masks_keys(admin_client, db):
    page = admin_client.get("/settings/platforms").get_data(as_text=True)
    for industry, platform in (("Technology", "tech-platform"), ("Default", "general-platform")):
        assert industry in page and platform in page
    routes = db.session.execute(db.select(PlatformRoute)).scalars().all()
    assert len(routes) == 6
    tech = next(r for r in routes if r.industry == "Technology")
    response = admin_client.post_form(
        f"/settings/platforms/{tech.id}",
        {
            "platform_name": "hubspot",
            "url": "http://127.0.0.1:9/hubspot",
            "api_key": SECRET,
            "batch_size": "25",
            "rate_limit_per_minute": "30",
            "active": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(tech)
    assert (tech.platform_name, tech.api_key, tech.batch_size, tech.rate_limit_per_minute) == (
        "hubspot", SECRET, 25, 30,
    )  # fmt: skip
    page = admin_client.get("/settings/platforms").get_data(as_text=True)
    assert SECRET not in page and "••••5678" in page
    assert SECRET not in _audit_text(db) and "platform_route.updated" in _audit_text(db)

    response = admin_client.post_form(
        f"/settings/platforms/{tech.id}",
        {"platform_name": "", "batch_size": "0", "rate_limit_per_minute": "x"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Platform is required" in page and "Batch size must be between 1 and 1000" in page
    assert "Requests a minute must be a whole number" in page


def test_add_and_delete_a_route_but_never_the_default(admin_client, db):
    admin_client.get("/settings/platforms")
    response = admin_client.post_form(
        "/settings/platforms",
        {"industry": "Logistics", "platform_name": "freight-crm", "batch_size": "10",
         "rate_limit_per_minute": "60", "active": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    route = db.session.execute(
        db.select(PlatformRoute).where(PlatformRoute.industry == "Logistics")
    ).scalar_one()
    again = admin_client.post_form(
        "/settings/platforms",
        {"industry": "logistics", "platform_name": "x", "batch_size": "1",
         "rate_limit_per_minute": "1"},
    )  # fmt: skip
    assert again.status_code == 422 and "already has a route" in again.get_data(as_text=True)
    assert admin_client.post_form(f"/settings/platforms/{route.id}/delete").status_code == 302
    default = db.session.execute(
        db.select(PlatformRoute).where(PlatformRoute.industry == "Default")
    ).scalar_one()
    response = admin_client.post_form(
        f"/settings/platforms/{default.id}/delete", follow_redirects=True
    )
    assert "cannot be deleted" in response.get_data(as_text=True)
    assert db.session.get(PlatformRoute, default.id) is not None


def test_another_workspaces_settings_are_invisible_and_404(admin_client, db, factory):
    other = factory.workspace()
    factory.provider_setting(other, "intent", base_url="https://other.example.com/v1")
    route = factory.platform_route(other, industry="Technology", platform_name="their-crm")
    page = admin_client.get("/settings/providers").get_data(as_text=True)
    assert "other.example.com" not in page
    assert "their-crm" not in admin_client.get("/settings/platforms").get_data(as_text=True)
    data = {"platform_name": "mine", "batch_size": "1", "rate_limit_per_minute": "1"}
    assert admin_client.post_form(f"/settings/platforms/{route.id}", data).status_code == 404
    assert admin_client.post_form(f"/settings/platforms/{route.id}/delete").status_code == 404
    db.session.refresh(route)
    assert route.platform_name == "their-crm"


def test_a_key_typed_back_as_its_mask_is_kept_and_a_non_ascii_key_refused(
    admin_client, db, sandbox
):
    url = sandbox.base_url("contacts")
    admin_client.post_form("/settings/providers/contacts", {"base_url": url, "api_key": SECRET})
    admin_client.post_form("/settings/providers/contacts", {"base_url": url, "api_key": "••••5678"})
    db.session.expire_all()
    assert provider_config(db.session, admin_client.workspace.id, "contacts").api_key == SECRET
    page = admin_client.post_form("/settings/providers/contacts/test").get_data(as_text=True)
    assert "Connection works." in page

    for bad in ("sk_live_clé_1234", "••••9999", "key with space"):
        response = admin_client.post_form(
            "/settings/providers/contacts", {"base_url": url, "api_key": bad}
        )
        assert response.status_code == 422
        assert "API key must be at most 500 characters of printable ASCII" in response.get_data(
            as_text=True
        )
    db.session.expire_all()
    assert provider_config(db.session, admin_client.workspace.id, "contacts").api_key == SECRET

    admin_client.get("/settings/platforms")
    route = db.session.execute(
        db.select(PlatformRoute).where(PlatformRoute.industry == "Finance")
    ).scalar_one()
    form = {"platform_name": "fin", "batch_size": "10", "rate_limit_per_minute": "60"}
    admin_client.post_form(f"/settings/platforms/{route.id}", {**form, "api_key": SECRET})
    admin_client.post_form(f"/settings/platforms/{route.id}", {**form, "api_key": "••••5678"})
    refused = admin_client.post_form(f"/settings/platforms/{route.id}", {**form, "api_key": "ключ"})
    assert refused.status_code == 422 and "printable ASCII" in refused.get_data(as_text=True)
    db.session.refresh(route)
    assert route.api_key == SECRET


def test_a_stored_non_ascii_key_fails_the_test_plainly(admin_client, db, sandbox):
    # A key stored before keys had to be ASCII (or written by a script).
    db.session.add(
        ProviderSetting(
            workspace_id=admin_client.workspace.id,
            provider="contacts",
            base_url=sandbox.base_url("contacts"),
            api_key="sk_clé_9999",
            options={},
        )
    )
    db.session.commit()
    response = admin_client.post_form("/settings/providers/contacts/test")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Connection failed:" in page and "only printable ASCII" in page
