"""The lead page's header, place in My Leads and delete; contacts and accounts after a
convert; the audit log in sentences: in a real browser, at a desk and on a phone."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_every_page import AXE, AXE_RUN, SCREENSHOTS_WANTED

SCREENSHOTS = Path(__file__).parent / "screenshots"
SIZES = {"desk": (1366, 768), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def watched(page):
    """axe-core in every page (an init script: our CSP refuses inline ones) and the
    console's errors, which no page here may log."""
    assert AXE.exists(), "run `npm ci` (axe-core is a devDependency)"
    page.context.add_init_script(path=str(AXE))
    # No sliding sidebar caught mid-way when a test switches to the phone's size.
    page.emulate_media(reduced_motion="reduce")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield
    assert not errors, errors


def fits(page, name: str) -> None:
    """No horizontal overflow; at a desk, no serious or critical axe finding either (the
    phone has the same markup, laid out narrower); outside CI, a screenshot to look at."""
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    if SCREENSHOTS_WANTED:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"record-{name}.png"), full_page=True)
    assert width <= inner, f"{name}: the page is {width}px wide in a {inner}px window"
    if inner >= SIZES["desk"][0]:
        findings = page.evaluate(AXE_RUN)
        assert not findings, f"{name}: " + json.dumps(findings)


@pytest.fixture()
def desk(factory, db):
    """An admin and a rep of one workspace; four qualified leads and one new, named A..E."""
    workspace = factory.workspace(name="Daily Planet")
    admin = factory.user(workspace, role="admin", name="Alex Admin")
    rep = factory.user(workspace, role="rep", name="Riley Rep")
    leads = {}
    for letter, status in zip(
        "ABCDE", ["qualified", "qualified", "new", "qualified", "qualified"], strict=True
    ):
        leads[letter] = factory.lead(
            workspace,
            full_name=f"{letter}nna Person",
            email=f"{letter.lower()}@planet.example.com",
            phone="+14155550123",
            job_title="Editor",
            company_name="Daily Planet",
            company_domain="planet.example.com",
            status=status,
            intent="hot",
            lead_score=80,
            intent_explanation="Opened the pricing page three times this week",
        )
    return workspace, admin, rep, leads


def test_header_links_and_previous_next_through_a_filtered_view(page, desk):
    _, _, rep, leads = desk
    sign_in(page, rep)
    page.goto("/leads?status=qualified&sort=name&direction=asc&owner=any")
    page.get_by_role("link", name="Bnna Person").first.click()
    expect(page.locator("#lead-header h1")).to_have_text("Bnna Person")
    header = page.locator("#lead-header")
    expect(header.locator('a[href="tel:+14155550123"]')).to_be_visible()
    expect(header.locator('a[href="mailto:b@planet.example.com"]')).to_be_visible()
    expect(header).to_contain_text("Editor at Daily Planet")
    expect(header).to_contain_text("Opened the pricing page")
    # Next skips Cnna (new: not in the view) and keeps the view for the step after.
    page.get_by_role("link", name="Next →").click()
    expect(page.locator("#lead-header h1")).to_have_text("Dnna Person")
    page.get_by_role("link", name="Next →").click()
    expect(page.locator("#lead-header h1")).to_have_text("Enna Person")
    expect(page.locator(".lead-steps [aria-disabled='true']", has_text="Next")).to_be_visible()
    page.get_by_role("link", name="← Previous").click()
    page.get_by_role("link", name="← Previous").click()
    expect(page.locator("#lead-header h1")).to_have_text("Bnna Person")
    for size in SIZES:
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
        fits(page, f"lead-{size}")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("link", name="← Back to list").click()
    expect(page).to_have_url(re.compile(rf"/leads\?.*status=qualified.*#lead-{leads['B'].id}$"))
    expect(page.locator(f"#lead-{leads['B'].id}")).to_be_visible()
    # A rep has no delete.
    page.goto(f"/leads/{leads['B'].id}")
    expect(page.get_by_role("button", name="Delete lead")).to_have_count(0)


def test_admin_deletes_a_lead_through_the_dialog(page, desk, db):
    _, admin, _, leads = desk
    sign_in(page, admin)
    query = "status=qualified&sort=name&direction=asc"
    page.goto(f"/leads/{leads['D'].id}?from={query.replace('&', '%26').replace('=', '%3D')}")
    page.get_by_role("button", name="Delete lead").click()
    dialog = page.locator("#delete-lead-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Delete Dnna Person?")
    fits(page, "lead-delete-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Delete lead").click()
    dialog.get_by_role("button", name="Delete lead").click()
    expect(page).to_have_url(re.compile(r"/leads\?status=qualified&sort=name&direction=asc$"))
    expect(page.get_by_text("Lead \u2068Dnna Person\u2069 deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Dnna Person")).to_have_count(0)
    page.goto("/audit")
    expect(page.locator(".audit-sentence").first).to_have_text(
        re.compile(r"Alex Admin\s+deleted\s+\u2068Dnna Person\u2069 \(deleted\)")
    )


def test_empty_fields_fold_away_and_open(page, desk):
    _, _, rep, leads = desk
    sign_in(page, rep)
    page.goto(f"/leads/{leads['A'].id}")
    expect(page.locator("#field-email")).to_be_visible()  # filled: shown
    expect(page.locator("#field-city")).to_be_hidden()  # empty: folded
    expect(page.locator("#field-search_query")).to_be_hidden()
    expect(page.locator("#lead-fields #field-search_query")).to_have_count(0)  # origin only
    fold = page.locator("details.empty-fields:has(#field-city)")
    fold.locator("summary").click()
    expect(page.locator("#field-city")).to_be_visible()
    page.locator("#field-city").get_by_role("link", name="Edit City").click()
    page.locator("#edit-city").fill("Metropolis")
    page.locator("#field-city").get_by_role("button", name="Save").click()
    expect(page.locator("#field-city")).to_contain_text("Metropolis")
    page.reload()
    # Now filled: shown without opening anything.
    expect(page.locator("#field-city")).to_be_visible()


def test_contacts_and_accounts_after_a_convert(page, desk):
    _, _, rep, leads = desk
    sign_in(page, rep)
    for letter in "AB":
        page.goto(f"/leads/{leads[letter].id}")
        page.get_by_role("button", name="Convert to contact & account").click()
        expect(page.locator("#lead-convert .badge.converted")).to_be_visible()
    page.locator("#lead-convert a.converted-contact").click()
    expect(page.locator("h1")).to_have_text("Bnna Person")
    expect(page.locator('a[href="tel:+14155550123"]').first).to_be_visible()
    expect(page.locator("#linked-leads")).to_contain_text("Converted from Bnna Person")
    for size in SIZES:
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
        fits(page, f"contact-{size}")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#record-fields").get_by_role("link", name="Daily Planet").click()
    expect(page.locator("h1")).to_have_text("Daily Planet")
    contacts = page.locator("#account-contacts")
    expect(contacts.get_by_role("link")).to_have_count(2)
    expect(page.locator("#linked-leads")).to_contain_text("Converted from Anna Person")
    for size in SIZES:
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
        fits(page, f"account-{size}")
        page.goto("/contacts")
        expect(page.locator("#total")).to_have_text("2 contacts.")
        fits(page, f"contacts-{size}")
        page.goto("/accounts")
        expect(page.get_by_role("link", name="Daily Planet")).to_be_visible()
        fits(page, f"accounts-{size}")
        page.go_back()
        page.go_back()
    page.goto("/contacts")
    page.get_by_label("Search contacts").fill("anna")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#total")).to_have_text(re.compile(r"1 contact match"))
    # The sidebar lists both sections.
    expect(page.locator(".sidebar").get_by_role("link", name="Contacts")).to_be_visible()
    expect(page.locator(".sidebar").get_by_role("link", name="Accounts")).to_be_visible()


def test_the_audit_log_reads_as_sentences(page, desk, factory):
    workspace, admin, _, leads = desk
    sign_in(page, admin)
    jane = factory.lead(workspace, full_name="Jane Roe", email="jane@roe.example.com")
    kept = factory.lead(workspace, full_name="Jane R.", email="jane.r@roe.example.com")
    page.goto("/duplicates")
    page.request.post(
        "/duplicates/merge",
        form={
            "keep_id": str(kept.id),
            "other_id": str(jane.id),
            "csrf_token": page.locator('meta[name="csrf-token"]').get_attribute("content"),
        },
    )
    page.goto(f"/leads/{leads['A'].id}")
    page.goto("/audit")
    sentences = page.locator(".audit-sentence")
    expect(sentences.nth(0)).to_have_text(re.compile(r"Alex Admin\s+viewed\s+Anna Person"))
    merged = sentences.filter(has_text="merged")
    expect(merged).to_have_text(
        re.compile(r"Alex Admin\s+merged\s+Jane Roe\s+into\s+Jane R\.\s+—\s+undo")
    )
    expect(merged.get_by_role("link", name="Jane R.")).to_have_attribute(
        "href", f"/leads/{kept.id}"
    )
    expect(page.locator("main")).not_to_contain_text("leads.merged")
    for size in SIZES:
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
        fits(page, f"audit-{size}")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_label("Action").select_option(label="Merged leads")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"action=leads\.merged"))
    expect(page.locator(".audit-sentence")).to_have_count(1)
    merged = page.locator(".audit-sentence")
    merged.get_by_role("button", name="undo").click()
    expect(page.locator("#lead-header h1")).to_have_text("Jane Roe")  # back
