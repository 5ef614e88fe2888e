"""In a browser: an admin uploads a CSV on the Target clients page and sees the linked
leads with their enriched company and person."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

CSV = (
    "person_email,company_domain\naj@harness.io,\njane@stripe.com,stripe.com\nghost@nowhere.dev,\n"
)


@pytest.fixture()
def inline(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def test_upload_a_csv_and_see_enriched_leads(page, factory, inline, tmp_path):
    workspace = factory.workspace(name="Northwind Traders")
    admin = factory.user(workspace, role="admin")
    harness = factory.core_company(domain="harness.io", name="Harness", industry="DevOps",
                                   employee_count=850, city="San Francisco")  # fmt: skip
    stripe = factory.core_company(domain="stripe.com", name="Stripe", industry="Payments")
    factory.core_person(harness, email="aj@harness.io", full_name="AJ Pahl", title="VP Sales",
                        seniority="VP", department="Sales")  # fmt: skip
    factory.core_person(stripe, email="jane@stripe.com", full_name="Jane Roe", title="CFO")
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(CSV)

    sign_in(page, admin)
    page.get_by_role("link", name="Target clients").click()
    expect(page.get_by_role("heading", name="Target clients")).to_be_visible()
    page.get_by_label("Target client domain").fill("https://www.securitypalhq.com/")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and link").click()

    page.wait_for_url("**/target-clients/securitypalhq.com")
    expect(page.get_by_role("heading", name="securitypalhq.com")).to_be_visible()
    table = page.locator("#target-client-leads")
    aj = table.get_by_role("row").filter(has_text="AJ Pahl")
    expect(aj).to_contain_text("Harness")
    expect(aj).to_contain_text("DevOps · 850 employees · San Francisco")
    expect(aj).to_contain_text("VP Sales · VP · Sales")
    expect(table.get_by_role("row").filter(has_text="Jane Roe")).to_contain_text("Stripe")
    failures = page.locator("#link-failures")
    expect(failures).to_contain_text("ghost@nowhere.dev")
    expect(failures).to_contain_text("No matching person found in core.people")
    expect(page.get_by_role("status")).to_contain_text("Linked: 2")

    page.get_by_role("link", name="Harness").first.click()
    expect(page.get_by_role("heading", name="Harness")).to_be_visible()
    expect(page.locator("#company-people")).to_contain_text("AJ Pahl")
