"""In a browser: "Run now" on a saved query, then a lead found hot, enriched, delivered, uploaded.

Jobs run inline (no Redis), against the sandbox provider over real HTTP; the worker
version of the same chain is tests/pipeline/test_end_to_end.py.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from webapp.services.pipeline_settings.demo import wire_to_sandbox


def test_run_now_takes_a_lead_to_hot_enriched_delivered_and_uploaded(
    app,
    db,
    factory,
    page,
    sandbox,
    httpserver,
    monkeypatch,  # noqa: F811
):
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # inline: the chain runs in the request
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    httpserver.expect_request("/hooks").respond_with_data("ok")
    workspace = factory.workspace(name="Northwind Traders")
    admin = factory.user(workspace, role="admin", name="Alex Admin")
    wire_to_sandbox(db.session, workspace.id, sandbox.url, "sales@example.com")
    db.session.commit()
    factory.webhook_endpoint(
        workspace, url=httpserver.url_for("/hooks"), event_types=["LeadDelivered"]
    )
    factory.discovery_query(
        workspace, name="AI tools", topic="AI automation tools", industries=["Technology"],
        daily_limit=3,
    )  # fmt: skip

    sign_in(page, admin)
    page.goto("/pipeline/queries")
    row = page.get_by_role("row", name=re.compile("AI tools"))
    row.get_by_role("button", name="Run now").click()
    page.wait_for_url(re.compile(r"/pipeline/queries/[0-9a-f-]+$"))

    hot = page.get_by_role("row").filter(has=page.locator(".intent-hot")).first
    expect(hot).to_be_visible()
    hot.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/leads/[0-9a-f-]+$"))
    panel = page.locator("#lead-pipeline")
    expect(panel.locator(".intent-hot")).to_be_visible()
    expect(panel.locator("#pipeline-enrichment")).to_contain_text("Completed")
    for channel in ("email", "slack", "webhook"):
        expect(panel.locator(f"#delivery-{channel}")).to_contain_text("Sent")
    expect(panel.locator("#pipeline-upload")).to_contain_text("Uploaded to tech-platform")

    page.goto("/pipeline")
    expect(page.locator("#stat-hot")).not_to_have_text("0")
    expect(page.locator("#enrichment-rate")).to_have_text("100.0 %")
    assert httpserver.log, "the LeadDelivered webhook reached its endpoint"
