"""A live server and a real browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _served_app(app):
    """One server for the session: it serves the session's app, whose rows each test's
    `db` empties. Stopping a server per test cost ~0.45 s (shutdown waits out the
    serve loop's half-second poll)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def live_server(_served_app, db):
    return _served_app


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def open_lead_page(page, factory, **lead_fields):
    """A rep signed in on a new lead's page; returns the rep and the lead."""
    workspace = factory.workspace()
    user = factory.user(workspace)
    lead = factory.lead(workspace, full_name="Nina Simone", email="nina@example.com", **lead_fields)
    sign_in(page, user)
    page.goto(f"/leads/{lead.id}")
    return user, lead


def sign_in(page, user, password: str = "password123") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/leads**")
