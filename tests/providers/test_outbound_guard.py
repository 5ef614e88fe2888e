"""Provider, platform and Slack calls refuse private addresses when they are sent, unless
the sandbox or a private network is allowed (a URL saved earlier is checked again)."""

from __future__ import annotations

import pytest

from webapp.providers.config import ProviderConfig
from webapp.providers.http import ProviderError, call
from webapp.providers.slack import post_to_slack


@pytest.fixture()
def strict(app, monkeypatch):
    for name in ("PROVIDERS_ALLOW_PRIVATE", "WEBHOOKS_ALLOW_PRIVATE", "SANDBOX_PROVIDERS"):
        monkeypatch.setitem(app.config, name, False)
    with app.app_context():
        yield app


def test_a_provider_at_a_private_address_is_refused_unasked(strict, httpserver):
    httpserver.expect_request("/companies").respond_with_json({"companies": []})
    config = ProviderConfig(httpserver.url_for(""), "key", 2.0)
    with pytest.raises(ProviderError) as refused:
        call("intent", config, "GET", "companies")
    assert "not a public address" in str(refused.value) and not refused.value.retryable
    assert httpserver.log == []  # never called


def test_a_private_slack_url_is_refused_unasked(strict, httpserver):
    with pytest.raises(RuntimeError, match="Slack webhook URL refused"):
        post_to_slack(httpserver.url_for("/T0/B0/secret"), "hello")
    assert httpserver.log == []


def test_the_sandbox_switch_allows_private_addresses(strict, httpserver, monkeypatch):
    monkeypatch.setitem(strict.config, "SANDBOX_PROVIDERS", True)
    httpserver.expect_request("/companies").respond_with_json({"companies": []})
    config = ProviderConfig(httpserver.url_for(""), "key", 2.0)
    assert call("intent", config, "GET", "companies") == {"companies": []}
