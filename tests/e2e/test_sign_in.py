"""Signing in from a real browser, with the keyboard only."""

import re

from playwright.sync_api import expect


def test_sign_in_with_the_keyboard_and_see_the_layout(page, factory):
    workspace = factory.workspace(name="Keyboard Co")
    user = factory.user(workspace, role="admin", name="Kim Keys", email="kim@example.com")
    factory.lead(workspace, first_name="Lena", last_name="Lead", email="lena@example.com")

    page.goto("/leads")
    assert "/login?next=%2Fleads" in page.url
    # The email field has focus on load. Chromium applies `autofocus` at its next rendering
    # update, which can come after the load event goto() waits for: keys typed before then
    # go nowhere, and Enter submits nothing.
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("password123")
    page.keyboard.press("Enter")
    page.wait_for_url("**/leads")

    nav = page.get_by_role("navigation", name="Main")
    for label in ("Leads", "Lists", "Duplicates", "Settings", "Audit log"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Leads", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.locator(".user-menu summary").click()
    expect(page.get_by_text("kim@example.com")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(".workspace-name")).to_have_text("Keyboard Co")
    expect(page.get_by_text("lena@example.com")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"  # served from static/, no CDN


def test_wrong_password_shows_a_message(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace)
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Email or password is not right")


def test_signed_out_mid_page_an_htmx_click_goes_to_sign_in_and_back(page, factory):
    from tests.e2e.conftest import open_lead_page

    user, lead = open_lead_page(page, factory, city="Tryon")
    page.context.clear_cookies()  # signed out, say from another tab
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.locator("#field-city dd").click()
    page.wait_for_url(re.compile(r"/login\?next=/leads/"))
    expect(page.locator("#field-city")).to_have_count(0)  # no sign-in page inside the lead
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/leads/{lead.id}")
    assert alerts == []
