"""The lead page's pipeline panel, filled by a real run: it fits, is accessible, and its
"Enrich again" button starts a run that the panel shows (admin, laptop and phone)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.pages import Page
from tests.e2e.test_every_page import VIEWPORTS, check_page, sweep_tab
from tests.pipeline.conftest import company_lead, wired  # noqa: F401  (a fixture)
from webapp.jobs import enqueue


@pytest.fixture()
def enriched(app, db, factory, wired, sandbox, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # the chain runs inline
    sandbox.control(fail={"slack": {"status": 500, "times": 100}})  # a failed channel shows too
    lead = company_lead(db, factory, wired, intent="hot")
    enqueue("pipeline.enrich", str(lead.id), workspace_id=wired.id)
    return factory.user(wired, role="admin", name="Alex Admin"), lead


def test_the_filled_panel_fits_is_accessible_and_enrich_again_runs(browser, live_server, enriched):
    admin, lead = enriched
    problems: list[str] = []
    with sweep_tab(browser, live_server) as tab:
        sign_in(tab, admin)
        page = Page("lead-pipeline", "/leads/{lead}")
        check_page(tab, page, "admin", {"lead": lead.id}, problems)  # ends narrowed to a phone
        tab.set_viewport_size(VIEWPORTS["laptop"])
        panel = tab.locator("#lead-pipeline")
        assert panel.locator(".primary-contact").count() == 1
        assert "Slack" in panel.locator("#delivery-slack").inner_text()
        panel.get_by_role("button", name="Enrich again").click()
        tab.wait_for_selector("#lead-pipeline .job-progress")
        assert "Lead enrichment" in tab.locator("#lead-pipeline .job-progress").inner_text()
    assert not problems, "\n".join(problems)
