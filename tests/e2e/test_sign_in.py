"""Signing in from a real browser, with the keyboard only."""

from playwright.sync_api import expect


def test_sign_in_with_the_keyboard_and_see_the_layout(page, factory):
    workspace = factory.workspace(name="Keyboard Co")
    user = factory.user(workspace, role="admin", name="Kim Keys", email="kim@example.com")
    factory.lead(workspace, first_name="Lena", last_name="Lead", email="lena@example.com")

    page.goto("/leads")
    assert "/login?next=%2Fleads" in page.url
    page.keyboard.type(user.email)  # the email field has focus on load
    page.keyboard.press("Tab")
    page.keyboard.type("password123")
    page.keyboard.press("Enter")
    page.wait_for_url("**/leads")

    nav = page.get_by_role("navigation", name="Main")
    for label in ("Leads", "Lists", "Campaigns", "Imports", "Pipeline", "Settings"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.get_by_title("kim@example.com")).to_have_text("Kim Keys")
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
