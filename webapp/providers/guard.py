"""Outbound calls to providers, Slack and platforms: private addresses refused when sent.

Settings refuse a private URL when it is saved; this checks again on every connection,
so a URL saved while the sandbox was on, or a host that resolves elsewhere later, is not
called. The host is resolved once per connection, and the connection goes to the very
address that was checked (`GuardedBackend`): a DNS answer that changes between the check
and the connect (DNS rebinding) cannot reach a private address. The Host header and the
TLS server name stay the URL's own, so virtual hosts and certificates work as before.
"""

from __future__ import annotations

import httpcore
from flask import current_app, has_app_context

from webapp.services.webhooks.urls import resolved_addresses, url_parts


class OutboundRefused(ValueError):
    """The URL or the address its host resolves to may not be called from here."""


def private_allowed() -> bool:
    """True when private addresses may be called: the sandbox or a private network is on
    (outside an app, as in a script, nothing is refused)."""
    if not has_app_context():
        return True
    config = current_app.config
    return bool(
        config.get("WEBHOOKS_ALLOW_PRIVATE")
        or config.get("SANDBOX_PROVIDERS")
        or config.get("PROVIDERS_ALLOW_PRIVATE")
    )


def check_outbound_url(url: str) -> None:
    """OutboundRefused (saying why) when `url` is no http(s) URL we may call.

    Only the URL's shape: where its host leads is checked when connecting.
    """
    try:
        url_parts(url)
    except ValueError as exc:
        raise OutboundRefused(str(exc)) from None


def checked_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses to connect to for `host`: resolved once, each one checked.

    Raises OutboundRefused when the host does not resolve or (unless `allow_private`)
    when any of its addresses is not a public one.
    """
    try:
        return resolved_addresses(host, port, allow_private, "PROVIDERS_ALLOW_PRIVATE")
    except ValueError as exc:
        raise OutboundRefused(str(exc)) from None


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to addresses `checked_addresses` gave.

    httpcore asks it for a TCP connection to the URL's host; TLS (with the host as the
    server name) and the request (with the host in its Host header) follow on that
    connection, so nothing resolves the host a second time.
    """

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        error: Exception | None = None
        for address in checked_addresses(host, port, self.allow_private):
            try:
                return self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # the next address of the host, as a resolver's client would
        raise error or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise OutboundRefused("unix sockets are not called")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
