"""The sandbox provider on a real local HTTP server, for tests (docs/contracts.md#sandbox).

tests/conftest.py loads this module as a plugin, so every test can ask for `sandbox`:

    def test_x(sandbox):
        config = sandbox.config("intent")                   # a ProviderConfig at the sandbox
        sandbox.use_for_intent(factory, workspace)          # the workspace's intent provider
        sandbox.control(fail={"intent": {"status": 503, "times": 2}})
        sandbox.received("platforms")                        # what platforms got

One server (a werkzeug thread) serves the whole session, under `/sandbox` as the app mounts
it with SANDBOX_PROVIDERS=1 (so `wire_to_sandbox` takes its addresses for its own);
`sandbox` resets its failures, delay and received items before and after each test. Its
state lives in this process, so RQ worker subprocesses reach it over HTTP like any provider.

`smtp_server` is a real SMTP server (aiosmtpd) on a free port: (inbox, port).
"""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from aiosmtpd.controller import Controller
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from webapp.providers.config import ProviderConfig
from webapp.sandbox import create_sandbox_app
from webapp.services.pipeline_settings.demo import SANDBOX_KEY, SANDBOX_PATHS

MOUNT = "/sandbox"


class SandboxServer:
    def __init__(self) -> None:
        mounted = DispatcherMiddleware(NotFound(), {MOUNT: create_sandbox_app(None)})
        self._server = make_server("127.0.0.1", 0, mounted, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}{MOUNT}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def base_url(self, name: str) -> str:
        """The base URL of a provider ("intent", "contacts", "email_api", "platforms")."""
        return self.url + SANDBOX_PATHS[name]

    def config(self, name: str, key: str = SANDBOX_KEY, timeout: float = 5.0) -> ProviderConfig:
        return ProviderConfig(self.base_url(name), key, timeout)

    def use_for_intent(self, factory, workspace, key: str = "sk_test_sandbox"):
        """Point the workspace's intent provider (only) at the sandbox; the saved setting."""
        return factory.provider_setting(
            workspace, "intent", base_url=self.base_url("intent"), api_key=key
        )

    def platform_url(self, platform: str) -> str:
        return f"{self.url}/platforms/{platform}"

    def slack_url(self, hook: str = "test") -> str:
        return f"{self.url}/slack/{hook}"

    def control(self, **body) -> dict:
        return httpx.post(self.url + "/_control", json=body, timeout=5).json()

    def reset(self) -> None:
        self.control(reset=True, delay_ms=0)

    def received(self, kind: str | None = None):
        answer = httpx.get(self.url + "/_received", timeout=5).json()
        return answer if kind is None else answer[kind]

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer()
    yield server
    server.close()


@pytest.fixture()
def sandbox(sandbox_server) -> SandboxServer:
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()


class Inbox:
    """What the SMTP server received: aiosmtpd envelopes, in order."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp_server():
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd cannot start on port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller.port
    controller.stop()
