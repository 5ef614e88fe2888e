"""The sandbox provider over real HTTP, and a workspace wired to it (issue 16's pipeline)."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from werkzeug.serving import make_server

from webapp.sandbox import bp as sandbox_bp
from webapp.services.pipeline_settings.demo import wire_to_sandbox

RECIPIENT = "sales@example.com"
# Domains the sandbox answers with contacts (deterministic): bluepulse.com has four,
# a director first and the first valid executive second (the primary).
DOMAIN = "bluepulse.com"
SIGNALS = [
    {"signal_type": "Company researching topic", "signal_strength": "high",
     "detected_at": "2026-01-22T10:30:00Z", "source": "DataShopper"},
    {"signal_type": "Visited competitor website", "signal_strength": "high",
     "detected_at": "2026-01-21T09:00:00Z", "source": "DataShopper"},
    {"signal_type": "Company researching topic", "signal_strength": "high",
     "detected_at": "2026-01-20T08:00:00Z", "source": "G2"},
    {"signal_type": "Downloaded whitepaper", "signal_strength": "medium",
     "detected_at": "2026-01-19T08:00:00Z", "source": "DataShopper"},
]  # fmt: skip


class Sandbox:
    def __init__(self, url: str):
        self.url = url

    def control(self, **body) -> dict:
        return httpx.post(f"{self.url}/_control", json=body, timeout=5).json()

    def received(self, kind: str) -> list[dict]:
        return httpx.get(f"{self.url}/_received", params={"kind": kind}, timeout=5).json()[kind]


@pytest.fixture()
def sandbox(app):
    """The sandbox at its own port under /sandbox (as the app mounts it, so the demo wiring
    takes it for its own); its state in this process, reset for each test."""
    sandbox_app = Flask("sandbox_for_tests")
    sandbox_app.config["REDIS_URL"] = None
    sandbox_app.register_blueprint(sandbox_bp, url_prefix="/sandbox")
    server = make_server("127.0.0.1", 0, sandbox_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    box = Sandbox(f"http://127.0.0.1:{server.server_port}/sandbox")
    box.control(reset=True, delay_ms=0)
    yield box
    box.control(reset=True, delay_ms=0)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def inline(app, monkeypatch):
    """Jobs run inline, whatever the backend (the worker tests use real workers)."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture()
def wired(db, factory, sandbox):
    """A workspace whose providers, delivery (e-mail API, Slack) and platforms are the sandbox."""
    workspace = factory.workspace()
    wire_to_sandbox(db.session, workspace.id, sandbox.url, RECIPIENT)
    factory.webhook_endpoint(workspace, event_types=["LeadDelivered", "LeadQualified"])
    db.session.commit()
    return workspace


def company_lead(db, factory, workspace, intent="hot", **fields):
    values = {
        "type": "company",
        "first_name": None,
        "last_name": None,
        "email": None,
        "company_name": "Blue Pulse",
        "company_domain": DOMAIN,
        "industry": "Technology",
        "employee_count": 250,
        "revenue": 10000000,
        "city": "San Francisco",
        "state": "CA",
        "country": "United States",
        "source": "discovery",
        **fields,
    }
    lead = factory.lead(workspace, **values)
    lead.intent = intent
    lead.intent_data = {"score": intent, "signals": SIGNALS, "last_updated": "2026-01-22T02:15:00Z"}
    lead.search_query = "AI automation tools"
    lead.enrichment_status = "pending"
    db.session.commit()
    return lead


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
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
