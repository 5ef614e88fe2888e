"""Under the Content-Security-Policy (no inline script), every page still works."""

from playwright.sync_api import expect

from tests.e2e.conftest import open_lead_page, sign_in


def _csp_violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_no_page_breaks_the_policy(page, factory, db):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    lead = factory.lead(workspace, full_name="Ada Lovelace", email="ada@engine.example.com")
    factory.lead(workspace, full_name="Ada Lovelace", email="ada.l@engine.example.com")
    from webapp.models.forms import CaptureForm

    form = CaptureForm(workspace_id=workspace.id, name="Website")
    db.session.add(form)
    db.session.commit()
    violations = _csp_violations(page)
    sign_in(page, admin)
    for path in (
        "/leads",
        f"/leads/{lead.id}",
        "/leads/new",
        "/duplicates",
        "/settings/forms",
        f"/settings/forms/{form.id}",
        "/settings/tokens",
        "/settings/webhooks",
        "/audit",
        f"/f/{form.public_key}",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert "frame-ancestors" in response.headers["content-security-policy"] or path.startswith(
            "/f/"
        )
    page.goto("/leads")
    page.get_by_label("Search leads").type("ada")  # an htmx swap
    expect(page.locator(".leads-table tbody tr")).to_have_count(2)
    assert violations == []


def test_select_all_and_a_bulk_delete_that_asks_first(page, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    for n in range(3):
        factory.lead(workspace, full_name=f"Lead {n}", email=f"lead{n}@example.com")
    sign_in(page, admin)
    page.get_by_label("Select all rows on this page").check()
    expect(page.locator("input[name=lead_id]:checked")).to_have_count(3)
    page.get_by_label("Action", exact=True).select_option("delete")

    confirm = page.locator("#confirm-dialog")
    page.get_by_role("button", name="Apply").click()
    expect(confirm).to_contain_text("Delete the chosen leads? This cannot be undone.")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    page.wait_for_timeout(300)
    expect(page.locator(".leads-table tbody tr")).to_have_count(3)  # No: nothing sent

    page.get_by_role("button", name="Apply").click()
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Done: 3 leads changed.")).to_be_visible()
    expect(page.locator(".leads-table tbody")).to_contain_text("No leads yet.")


def test_copy_buttons_and_confirmed_forms(browser, live_server, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    context = browser.new_context(base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, admin)
        page.goto("/settings/tokens")
        page.get_by_label("Name").fill("Zapier")
        page.get_by_role("button", name="Create token").click()
        secret = page.get_by_label("New API token").input_value()
        page.get_by_role("button", name="Copy").click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == secret

        confirm = page.locator("#confirm-dialog")
        page.get_by_role("button", name="Revoke").click()
        expect(confirm).to_contain_text("Revoke this token?")
        confirm.get_by_role("button", name="Cancel").click()
        page.wait_for_timeout(300)
        expect(page.locator("table")).to_contain_text("Active")
        page.get_by_role("button", name="Revoke").click()
        confirm.get_by_role("button", name="Confirm").click()
        expect(page.locator("table")).to_contain_text("Revoked")
    finally:
        context.close()


def test_a_link_in_a_field_opens_the_link_not_the_editor(page, factory):
    open_lead_page(page, factory)
    field = page.locator("#field-email dd")
    box = field.bounding_box()
    field.click(position={"x": box["width"] - 4, "y": box["height"] / 2})  # beside the link
    expect(page.locator("#edit-email")).to_be_visible()
    page.locator("#field-email").get_by_role("button", name="Cancel").click()
    expect(page.locator("#edit-email")).to_have_count(0)
    page.locator("#field-email a[href^=mailto]").click()
    page.wait_for_timeout(300)
    expect(page.locator("#edit-email")).to_have_count(0)


def test_escape_cancels_an_inline_edit(page, factory):
    open_lead_page(page, factory, city="Tryon")
    page.locator("#field-city dd").click()
    page.locator("#edit-city").fill("Paris")
    page.locator("#edit-city").press("P")  # any other key keeps the editor open
    expect(page.locator("#edit-city")).to_be_visible()
    page.locator("#edit-city").press("Escape")
    expect(page.locator("#edit-city")).to_have_count(0)
    expect(page.locator("#field-city")).to_contain_text("Tryon")
