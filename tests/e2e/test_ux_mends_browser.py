"""QA's mends where the browser matters: sort clicks, the tab's title, text direction, notes."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_lead_page, sign_in
from webapp.models.base import utcnow

RLO = "\u202e"

# Where each character of an element's first text node is drawn, left to right on screen.
CHARACTER_LEFTS = """element => {
  const text = element.firstChild;
  return Array.from(text.data, (_, i) => {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    return range.getBoundingClientRect().left;
  });
}"""


def test_a_first_click_sorts_names_a_to_z_and_a_second_flips_them(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    for name, score in (("Amy Adams", 50), ("Zed Zulu", 90), ("Mo Moe", 10)):
        factory.lead(
            workspace, full_name=name, email=f"{name[:2].lower()}@example.com", lead_score=score
        )
    sign_in(page, user)
    first_row = page.locator(".leads-table tbody tr").first
    header = page.locator(".leads-table thead")
    expect(first_row).to_contain_text("Mo Moe")  # newest first

    header.get_by_role("link", name="Name").click()
    expect(page).to_have_url(re.compile(r"sort=name&direction=asc"))
    expect(first_row).to_contain_text("Amy Adams")
    expect(header.get_by_role("link", name="Name ▲")).to_be_visible()
    header.get_by_role("link", name="Name").click()
    expect(page).to_have_url(re.compile(r"sort=name$"))  # desc, the default, is left out
    expect(first_row).to_contain_text("Zed Zulu")
    expect(header.get_by_role("link", name="Name ▼")).to_be_visible()

    header.get_by_role("link", name="Company").click()
    expect(page).to_have_url(re.compile(r"sort=company&direction=asc"))

    header.get_by_role("link", name="Intent / score").click()
    expect(page).to_have_url(re.compile(r"sort=score$"))
    expect(first_row).to_contain_text("Zed Zulu")  # highest first
    header.get_by_role("link", name="Created").click()
    expect(page).to_have_url(re.compile(r"/leads$"))  # the default sort: newest first
    expect(first_row).to_contain_text("Mo Moe")
    header.get_by_role("link", name="Created").click()
    expect(page).to_have_url(re.compile(r"/leads\?direction=asc$"))
    expect(first_row).to_contain_text("Amy Adams")  # oldest first


def test_a_saved_name_renames_the_tab_and_the_heading(page, factory):
    open_lead_page(page, factory)
    expect(page).to_have_title("Nina Simone · Leadkeeper")
    page.locator("#field-full_name").get_by_role("link", name="Edit Full name").click()
    page.locator("#edit-full_name").fill("Eunice Waymon")
    page.locator("#field-full_name").get_by_role("button", name="Save").click()
    expect(page).to_have_title("Eunice Waymon · Leadkeeper")
    expect(page.locator("#lead-header h1")).to_have_text("Eunice Waymon")

    page.locator("details.empty-fields:has(#field-city) > summary").click()  # City is empty
    page.locator("#field-city").get_by_role("link", name="Edit City").click()
    page.locator("#edit-city").fill("Tryon")
    page.locator("#field-city").get_by_role("button", name="Save").click()
    expect(page.locator("#field-city")).to_contain_text("Tryon")
    expect(page).to_have_title("Eunice Waymon · Leadkeeper")  # the name is still the name


def test_a_right_to_left_override_stays_inside_its_value(page, factory):
    open_lead_page(page, factory, city=f"Metro{RLO}polis")
    edit = page.locator("#field-city .edit-link")
    expect(edit).to_have_text("Edit")
    lefts = edit.evaluate(CHARACTER_LEFTS)
    assert lefts == sorted(lefts), "Edit is drawn backwards"
    value = page.locator("#field-city dd bdi").bounding_box()
    assert edit.bounding_box()["x"] >= value["x"] + value["width"]


def test_a_name_in_my_leads_keeps_its_badge_after_it(page, factory, db):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    lead = factory.lead(workspace, full_name=f"Ana{RLO} Ruiz", email="ana@example.com")
    lead.converted_at = utcnow()
    db.session.commit()
    sign_in(page, user)
    cell = page.locator(f"#lead-{lead.id} td").nth(1)
    name = cell.get_by_role("link").bounding_box()
    badge = cell.locator(".badge.converted").bounding_box()
    assert badge["x"] >= name["x"] + name["width"]


def test_a_multi_line_note_keeps_its_lines(page, factory):
    open_lead_page(page, factory)
    page.get_by_label("Add a note").fill("Called twice\nback on Monday")
    page.get_by_role("button", name="Add note").click()
    note = page.locator("#timeline li").first.locator(".activity-text")
    expect(note).to_contain_text("back on Monday")  # swapped in
    # innerText is the text as laid out: without pre-line the break would be a space.
    assert note.inner_text() == "Called twice\nback on Monday"


def test_lists_shows_a_list_made_from_my_leads(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    factory.lead(workspace, full_name="Ada Lovelace", email="ada@example.com")
    factory.lead(workspace, full_name="Grace Hopper", email="grace@example.com")
    sign_in(page, user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lists").click()
    expect(page.locator("main")).to_contain_text("No lists yet.")
    page.goto("/leads")
    page.get_by_label("Select all rows on this page").check()
    page.get_by_label("Action", exact=True).select_option("add_to_list")
    page.get_by_label("New list name").fill("Pioneers")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Done: 2 leads changed.")).to_be_visible()
    page.goto("/lists")
    row = page.locator(".lists-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pioneers")
    expect(row.locator("td").nth(2)).to_have_text("2")  # name, type, members
