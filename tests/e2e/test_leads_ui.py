"""My Leads and the lead page in a real browser: HTMX swaps, URL state, inline edits."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_search_as_you_type_updates_the_table_and_the_url(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    factory.lead(workspace, full_name="Ada Lovelace", email="ada@engine.example.com")
    factory.lead(workspace, full_name="Grace Hopper", email="grace@navy.example.com")
    sign_in(page, user)
    rows = page.locator(".leads-table tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Search leads").type("hopp")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Grace Hopper")
    expect(page).to_have_url(re.compile(r"/leads\?q=hopp$"))
    page.go_back()
    expect(rows).to_have_count(2)


def test_sort_by_clicking_a_header(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    factory.lead(workspace, full_name="Low Score", email="low@example.com", lead_score=5)
    factory.lead(workspace, full_name="High Score", email="high@example.com", lead_score=95)
    sign_in(page, user)
    page.get_by_role("link", name="Intent / score").click()
    expect(page.locator(".leads-table tbody tr").first).to_contain_text("High Score")
    expect(page).to_have_url(re.compile(r"sort=score"))
    page.locator(".leads-table thead a", has_text="Intent / score").click()
    expect(page.locator(".leads-table tbody tr").first).to_contain_text("Low Score")


def test_lead_page_status_note_and_inline_edit(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin", name="Pat Page")
    lead = factory.lead(workspace, full_name="Nina Simone", email="nina@example.com", city=None)
    sign_in(page, user)
    page.goto(f"/leads/{lead.id}")
    page.locator("#status-bar").get_by_role("button", name="Contacted").click()
    expect(page.locator("#timeline li").first).to_contain_text("New → Contacted")
    expect(page.locator("#lead-header")).to_contain_text("Contacted")

    page.get_by_label("Add a note").fill("Prefers e-mail")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline li").first).to_contain_text("Prefers e-mail")

    page.locator("details.empty-fields:has(#field-city) > summary").click()  # City is empty
    page.locator("#field-city dd").click()
    page.locator("#edit-city").fill("Tryon")
    page.locator("#field-city").get_by_role("button", name="Save").click()
    expect(page.locator("#field-city")).to_contain_text("Tryon")
    expect(page.locator("#timeline li").first).to_contain_text("City changed")

    page.locator("#field-phone dd").click()
    page.locator("#edit-phone").fill("not a phone")
    page.locator("#field-phone").get_by_role("button", name="Save").click()
    expect(page.locator("#field-phone .field-error")).to_be_visible()
    page.locator("#field-phone").get_by_role("button", name="Cancel").click()
    expect(page.locator("#edit-phone")).to_have_count(0)


def test_bulk_action_after_a_search_acts_on_the_matching_leads(page, factory, db):
    from webapp.models import Lead

    workspace = factory.workspace()
    user = factory.user(workspace, role="admin", name="Rita Rep")
    factory.lead(workspace, full_name="Ada Lovelace", email="ada@engine.example.com")
    factory.lead(workspace, full_name="Ada Byron", email="byron@engine.example.com")
    factory.lead(workspace, full_name="Grace Hopper", email="grace@navy.example.com")
    sign_in(page, user)
    page.get_by_label("Search leads").type("ada")
    rows = page.locator(".leads-table tbody tr")
    expect(rows).to_have_count(2)  # the results were swapped; the bulk controls were not
    page.get_by_label("Select all rows on this page").check()  # the bulk bar appears
    page.get_by_label("All 2 matching").check()
    page.get_by_label("Action", exact=True).select_option("assign")
    page.get_by_label("New owner").select_option(label="Rita Rep")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("body")).to_contain_text("Done: 2 leads changed.")
    db.session.expire_all()
    owners = {
        lead.full_name: lead.assigned_to_id
        for lead in db.session.execute(db.select(Lead)).scalars()
    }
    assert owners == {"Ada Lovelace": user.id, "Ada Byron": user.id, "Grace Hopper": None}
    page.get_by_label("Search leads").fill("")
    page.locator("#f-owner").select_option("unassigned")  # a filter's change still searches
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Grace Hopper")
