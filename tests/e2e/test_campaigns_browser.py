"""A campaign in the browser: make lists from My Leads, assign them to a new campaign,
reorder them (arrow and drag), work the next lead and record its outcome."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def _make_list(page, name: str, rows: tuple[int, ...]) -> None:
    page.goto("/leads?owner=any&sort=name&direction=asc")
    for n in rows:
        page.locator("input[name=lead_id]").nth(n).check()
    bar = page.get_by_role("region", name="Bulk actions")
    bar.get_by_label("Action", exact=True).select_option("add_to_list")
    bar.get_by_label("New list name").fill(name)
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="changed")).to_be_visible()


def _priorities(page) -> list[str]:
    return page.locator("#campaign-lists tr").evaluate_all(
        "rows => rows.map(r => r.dataset.listName)"
    )


def test_make_a_list_assign_it_reorder_and_work_the_next_lead(page, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin", name="Alex Admin")
    for n in range(3):
        factory.lead(workspace, full_name=f"Donor {n}", phone=f"+1415555012{n}")
    sign_in(page, admin)
    _make_list(page, "Major donors", (0,))
    _make_list(page, "Event attendees", (0, 1, 2))

    page.goto("/campaigns")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Year End Campaign")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Year End Campaign")).to_be_visible()

    for name in ("Event attendees", "Major donors"):
        page.locator("#assign-list").select_option(label=f"{name} (static)")
        page.get_by_role("button", name="Assign list").click()
        expect(page.locator("#campaign-lists")).to_contain_text(name)
    assert _priorities(page) == ["Event attendees", "Major donors"]
    expect(page.locator("#total-leads")).to_have_text("3")

    # The arrow button: Major donors goes first.
    page.get_by_role("button", name="Move up: Major donors").click()
    expect(page.locator("#campaign-lists tr").first).to_have_attribute(
        "data-list-name", "Major donors"
    )
    # A drag puts Event attendees back on top.
    handle = page.locator("#campaign-lists tr").nth(1).locator(".drag-handle")
    target = page.locator("#campaign-lists tr").first
    expect(page.locator("#campaign-lists.is-sortable")).to_have_count(1)
    box, goal = handle.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 5, goal["y"] + 4, steps=12)
    page.mouse.move(box["x"] + 5, goal["y"] + 2, steps=4)
    with page.expect_navigation():  # the new order is saved, then the page reloads
        page.mouse.up()
    assert _priorities(page) == ["Event attendees", "Major donors"]

    page.get_by_role("button", name="Work next lead").click()
    expect(page.get_by_role("heading", name="Record this attempt")).to_be_visible()
    expect(page.locator("#lock-note")).to_contain_text("This lead is yours")
    page.get_by_label("Status").select_option("converted")
    page.get_by_label("Outcome").fill("Pledged on the first call")
    page.get_by_label("Pledged amount").fill("120")
    page.get_by_label("Talk time (seconds)").fill("240")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Attempt 1 recorded")).to_be_visible()
    expect(page.locator("#total-successful")).to_have_text("1")
    expect(page.locator("#total-pledged")).to_have_text("120.00")
    expect(page.locator("#queue-total")).to_contain_text("2 leads waiting")
