"""The lead page's "Edit" links in a real browser: they edit in place, not as a new page."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_edit_link_opens_the_editor_in_place(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="rep")
    lead = factory.lead(
        workspace,
        first_name="Edward",
        last_name="Ramsey",
        full_name="Edward Ramsey",
        email="ed@example.com",
        website="example.com",
    )
    sign_in(page, user)
    page.goto(f"/leads/{lead.id}")
    lead_url = re.compile(rf"/leads/{lead.id}$")
    page.evaluate("window.__samePage = true")  # gone if the browser loads a new page

    # Website's value is a link, so its Edit link is the only way to edit it.
    page.locator("#field-website").get_by_role("link", name="Edit Website").click()
    expect(page.locator("#edit-website")).to_be_visible()
    expect(page).to_have_url(lead_url)
    page.locator("#edit-website").fill("ramsey.example.com")
    page.locator("#field-website").get_by_role("button", name="Save").click()
    expect(page.locator("#field-website")).to_contain_text("ramsey.example.com")
    expect(page.locator("#edit-website")).to_have_count(0)
    expect(page).to_have_url(lead_url)
    assert page.evaluate("window.__samePage") is True

    # Renaming follows into the heading and Full name without a reload.
    page.locator("#field-first_name").get_by_role("link", name="Edit First name").click()
    page.locator("#edit-first_name").fill("Edwardo")
    page.locator("#field-first_name").get_by_role("button", name="Save").click()
    expect(page.locator("#lead-header h1")).to_have_text("Edwardo Ramsey")
    expect(page.locator("#field-full_name")).to_contain_text("Edwardo Ramsey")

    # Cancel from an Edit link brings the value back, still on the same page. City is
    # empty, so it is folded away under "Show empty fields" until that is opened.
    expect(page.locator("#field-city")).to_be_hidden()
    page.locator("details.empty-fields:has(#field-city) > summary").click()
    page.locator("#field-city").get_by_role("link", name="Edit City").click()
    page.locator("#field-city").get_by_role("button", name="Cancel").click()
    expect(page.locator("#edit-city")).to_have_count(0)
    expect(page).to_have_url(lead_url)
    assert page.evaluate("window.__samePage") is True

    page.reload()
    expect(page.locator("#edit-website")).to_have_count(0)
    expect(page.locator("#field-website")).to_contain_text("ramsey.example.com")


def test_search_context_edit_updates_how_it_was_found(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="rep")
    lead = factory.lead(workspace, full_name="Nina Simone", email="nina@example.com")
    sign_in(page, user)
    page.goto(f"/leads/{lead.id}")
    page.locator("#lead-origin details.empty-fields > summary").click()
    page.locator("#field-search_query dd").click()
    page.locator("#edit-search_query").fill("jazz pianists")
    page.locator("#field-search_query").get_by_role("button", name="Save").click()
    expect(page.locator("#lead-origin")).to_contain_text("jazz pianists")


def test_a_tag_and_its_remove_button_stay_on_one_line(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="rep")
    lead = factory.lead(workspace, full_name="Tag Holder", email="tags@example.com")
    sign_in(page, user)
    page.goto(f"/leads/{lead.id}")
    page.get_by_label("Add tags").fill("alpha, beta, gamma, delta, epsilon, zeta, eta, theta")
    page.locator("#lead-tags").get_by_role("button", name="Add").click()
    expect(page.locator("#lead-tags .badge.tag")).to_have_count(8)
    for badge in page.locator("#lead-tags .badge.tag").all():
        name_box = badge.evaluate(
            "b => { const r = document.createRange(); r.selectNodeContents(b.firstChild);"
            " const x = r.getBoundingClientRect(); return [x.top, x.bottom]; }"
        )
        button_box = badge.locator(".tag-remove").bounding_box()
        middle = button_box["y"] + button_box["height"] / 2
        assert name_box[0] <= middle <= name_box[1], (name_box, button_box)
