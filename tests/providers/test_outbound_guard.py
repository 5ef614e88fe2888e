"""Provider, platform and Slack calls refuse private addresses when they are sent, unless
the sandbox or a private network is allowed (a URL saved earlier is checked again)."""

from __future__ import annotations

import socket

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


class Rebinding:
    """A resolver whose answer for `host` changes after the first lookup (DNS rebinding)."""

    def __init__(self, monkeypatch, host: str, answers: list[str]):
        self.host, self.answers, self.lookups = host, answers, 0
        real = socket.getaddrinfo

        def getaddrinfo(name, port, *args, **kwargs):
            if name != host:
                return real(name, port, *args, **kwargs)
            address = self.answers[min(self.lookups, len(self.answers) - 1)]
            self.lookups += 1
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture()
def loopback_counts_as_public(monkeypatch):
    """127.0.0.1 (where the test server listens) passes the check; nothing else private does."""
    from webapp.services.webhooks import urls

    real = urls.is_public_address
    monkeypatch.setattr(urls, "is_public_address", lambda a: a == "127.0.0.1" or real(a))


def test_the_connection_goes_to_the_address_that_was_checked(
    strict, httpserver, monkeypatch, loopback_counts_as_public
):
    # Checked: 127.0.0.1 (allowed here); any later lookup would say 10.0.0.1 (private).
    dns = Rebinding(monkeypatch, "provider.test", ["127.0.0.1", "10.0.0.1"])
    httpserver.expect_request("/companies").respond_with_json({"companies": []})
    config = ProviderConfig(f"http://provider.test:{httpserver.port}", "key", 2.0)
    assert call("intent", config, "GET", "companies") == {"companies": []}
    request, _ = httpserver.log[0]
    assert request.headers["Host"] == f"provider.test:{httpserver.port}"  # the name, kept
    assert dns.lookups == 1  # resolved once: the connection used the checked address


def test_a_host_that_turns_private_is_refused_before_connecting(
    strict, httpserver, monkeypatch, loopback_counts_as_public
):
    Rebinding(monkeypatch, "rebound.test", ["10.0.0.1"])
    config = ProviderConfig(f"http://rebound.test:{httpserver.port}", "key", 2.0)
    with pytest.raises(ProviderError, match="10.0.0.1, which is not a public address"):
        call("intent", config, "GET", "companies")
    with pytest.raises(RuntimeError, match="Slack webhook URL refused"):
        post_to_slack(f"http://rebound.test:{httpserver.port}/T0/B0/secret", "hello")
    assert httpserver.log == []


def test_a_leads_emails_verified_side_by_side_are_refused_at_a_private_address(strict, httpserver):
    """Enrichment verifies a lead's e-mails in threads (enrichment._verified): each one
    pushes the app's context, without which the guard would let everything through."""
    from webapp.services.pipeline.enrichment import _verified

    httpserver.expect_request("/verify/email").respond_with_json({"status": "valid"})
    config = ProviderConfig(httpserver.url_for(""), "key", 2.0)
    emails = [f"person{n}@example.com" for n in range(4)]
    with pytest.raises(ProviderError) as refused:
        _verified(config, emails)
    assert "not a public address" in str(refused.value)
    assert httpserver.log == []  # none of the threads called it
