"""Lists in a real browser: filter My Leads, save the view as a list, open it, copy its
members to a new static list, remove one there."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_save_a_view_copy_its_members_and_remove_one(page, factory):
    workspace = factory.workspace(name="Northwind")
    admin = factory.user(workspace, role="admin", name="Alex Admin")
    for n in range(6):
        factory.lead(
            workspace,
            full_name=f"Person {n}",
            email=f"person{n}@example.com",
            intent="hot" if n < 3 else "cold",
        )
    sign_in(page, admin)
    rows = page.locator(".leads-table tbody tr")
    expect(rows).to_have_count(6)

    # Filter My Leads, then save the view.
    page.locator("details.checklist", has_text="Intent").locator("summary").click()
    page.get_by_role("checkbox", name="Hot").check()
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"intent=hot"))
    page.locator("h1").click()  # closes the popover
    page.get_by_text("Save this view as a list").click()
    page.get_by_label("List name", exact=True).fill("Hot ones")
    page.get_by_role("button", name="Save list").click()

    # The dynamic list's page: its criteria and its members.
    expect(page.locator("h1")).to_have_text("Hot ones")
    expect(page.locator(".badge.list-type-dynamic")).to_have_text("Dynamic")
    expect(page.locator(".list-about")).to_contain_text("Intent: Hot")
    members = page.locator(".members-table tbody tr")
    expect(members).to_have_count(3)
    expect(page.locator("#total")).to_contain_text("3 members")

    # Copy every member to a new static list (once the table's script has run).
    page.wait_for_load_state()
    page.locator("[data-select-all]").check()
    bar = page.get_by_role("region", name="Bulk actions")
    expect(bar).to_contain_text("3 selected")
    bar.get_by_label("Action", exact=True).select_option("copy")
    bar.get_by_label("New list name").fill("Call this week")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="Copied 3 leads")).to_be_visible()

    # Open the new list and remove one member (asked first).
    page.goto("/lists")
    page.get_by_role("link", name="Call this week").click()
    expect(page.locator(".badge.list-type-static")).to_have_text("Static")
    expect(members).to_have_count(3)
    members.nth(0).locator("input[type=checkbox]").check()
    bar.get_by_label("Action", exact=True).select_option("remove")
    bar.get_by_role("button", name="Apply").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status").filter(has_text="Removed 1 lead.")).to_be_visible()
    expect(members).to_have_count(2)
    expect(page.locator("#total")).to_contain_text("2 members")

    # A note on a member, edited in place.
    members.nth(0).get_by_role("link", name="Edit the note").click()
    page.get_by_label("Note on this member").fill("Prefers mornings")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(members.nth(0)).to_contain_text("Prefers mornings")
    page.reload()
    expect(members.nth(0)).to_contain_text("Prefers mornings")
