"""My Leads keeps its whole state (filters, search, sort, page size) across swaps and history."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.fixture()
def rep(factory):
    # An admin: My Leads opens on every lead (a rep opens on their own, see
    # test_my_leads_browser.py); these tests are about the filter state.
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin", name="Remy Rep")
    factory.lead(
        workspace, full_name="Sam Smith", email="sam@zeta.example.com", company_name="Zeta"
    )
    factory.lead(
        workspace, full_name="Sue Smith", email="sue@alpha.example.com", company_name="Alpha"
    )
    factory.lead(
        workspace, full_name="Jo Jones", email="jo@mid.example.com", company_name="Mid"
    ).assigned_to_id = user.id
    factory.session.commit()
    return user


def test_a_filter_change_keeps_the_sort_and_page_size(page, rep):
    sign_in(page, rep)
    page.locator(".pager").get_by_role("link", name="50", exact=True).click()
    expect(page).to_have_url(re.compile(r"per_page=50"))
    company = page.locator(".leads-table thead a", has_text="Company")
    company.click()  # a text column sorts A to Z first
    expect(page).to_have_url(re.compile(r"sort=company&direction=asc&per_page=50$"))

    page.get_by_label("Search leads").fill("smith")
    expect(page).to_have_url(re.compile(r"q=smith"))
    assert query(page) == {
        "q": ["smith"],
        "sort": ["company"],
        "direction": ["asc"],
        "per_page": ["50"],
    }
    rows = page.locator(".leads-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Sue Smith")  # Alpha before Zeta
    expect(page.locator(".leads-table thead th[aria-sort] a")).to_have_text("Company ▲")
    expect(page.locator(".pager strong")).to_have_text("50")

    page.get_by_label("Search leads").fill("")
    page.locator("#f-owner").select_option("me")
    expect(page).to_have_url(re.compile(r"owner=me"))
    assert query(page) == {
        "owner": ["me"],
        "sort": ["company"],
        "direction": ["asc"],
        "per_page": ["50"],
    }
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jo Jones")


def test_a_filter_change_goes_back_to_page_one(page, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    for n in range(30):
        factory.lead(workspace, full_name=f"Person {n:02d}", email=f"p{n}@example.com")
    sign_in(page, user)
    page.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    page.get_by_label("Search leads").fill("person")
    expect(page).to_have_url(re.compile(r"q=person"))
    assert "page" not in query(page)
    expect(page.locator(".pager")).to_contain_text("Page 1 of 2")


def test_back_and_forward_restore_the_table_and_the_filter_controls(page, rep):
    sign_in(page, rep)
    search = page.get_by_label("Search leads")
    rows = page.locator(".leads-table tbody tr")
    status = page.locator("details.checklist", has=page.locator("input[name=status]")).first
    status.locator("summary").click()
    status.get_by_label("New").check()
    expect(page).to_have_url(re.compile(r"\?status=new$"))
    search.fill("smith")
    expect(page).to_have_url(re.compile(r"\?status=new&q=smith$"))
    expect(rows).to_have_count(2)
    search.fill("jones")
    expect(page).to_have_url(re.compile(r"\?status=new&q=jones$"))
    expect(rows).to_have_count(1)

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?status=new&q=smith$"))
    expect(rows).to_have_count(2)
    expect(search).to_have_value("smith")
    expect(status.get_by_label("New")).to_be_checked()

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?status=new$"))
    expect(rows).to_have_count(3)
    expect(search).to_have_value("")
    expect(status.get_by_label("New")).to_be_checked()

    page.go_forward()
    expect(page).to_have_url(re.compile(r"\?status=new&q=smith$"))
    expect(search).to_have_value("smith")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"\?status=new&q=jones$"))
    expect(search).to_have_value("jones")
    expect(rows).to_have_count(1)

    page.go_back()
    expect(search).to_have_value("smith")
    page.locator("#f-owner").select_option("unassigned")  # builds on the restored state
    expect(page).to_have_url(re.compile(r"owner=unassigned"))
    assert query(page) == {"status": ["new"], "q": ["smith"], "owner": ["unassigned"]}
    expect(rows).to_have_count(2)


def test_checklist_label_follows_the_ticks_and_a_click_outside_closes_it(page, rep):
    sign_in(page, rep)
    status = page.locator("details.checklist", has=page.locator("input[name=status]")).first
    summary = status.locator("summary")
    expect(summary).to_have_text("Status")
    summary.click()
    status.get_by_label("New").check()
    status.get_by_label("Contacted").check()
    expect(summary).to_have_text("Status: New, Contacted")
    expect(page).to_have_url(re.compile(r"status=new&status=contacted"))
    status.get_by_label("New").uncheck()
    expect(summary).to_have_text("Status: Contacted")

    more = page.locator("details", has=page.get_by_text("More filters"))
    more.get_by_text("More filters").click()  # one click: closes Status, opens More filters
    expect(status).not_to_have_attribute("open", "")
    expect(more).to_have_attribute("open", "")

    more.get_by_label("Referral").check()  # the source checklist sits in More filters
    expect(page).to_have_url(re.compile(r"source=referral"))
    expect(page.locator(".chips")).to_contain_text("Source: Referral")
    page.locator("h1").click()
    expect(more).not_to_have_attribute("open", "")

    intent = page.locator("details.checklist", has=page.locator("input[name=intent]"))
    intent.locator("summary").click()
    expect(intent).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(intent).not_to_have_attribute("open", "")
    assert query(page) == {"status": ["contacted"], "source": ["referral"]}
    expect(summary).to_have_text("Status: Contacted")


def test_back_from_a_lead_after_a_page_link_shows_the_whole_page(page, rep):
    """A sort link loads a fragment from the URL it pushes; Back must not show that alone."""
    sign_in(page, rep)
    page.locator(".leads-table thead a", has_text="Status").click()
    expect(page).to_have_url(re.compile(r"sort=status"))
    page.locator(".leads-table tbody a", has_text="Sam Smith").click()
    expect(page).to_have_url(re.compile(r"/leads/[0-9a-f-]{36}$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=status"))
    expect(page.locator("#filters")).to_be_visible()
    expect(page.locator("h1")).to_have_text("All leads")  # an admin's default view
    expect(page.locator(".leads-table tbody tr")).to_have_count(3)


def test_enter_after_a_restore_does_not_search_twice(page, rep):
    sign_in(page, rep)
    search = page.get_by_label("Search leads")
    search.fill("smith")
    expect(page).to_have_url(re.compile(r"\?q=smith$"))
    page.go_back()
    expect(search).to_have_value("")
    expect(page.locator("#filters button[type=submit]")).to_have_count(0)
    searches = []
    page.on(
        "request",
        lambda request: searches.append(request.url) if "/leads?" in request.url else None,
    )
    search.fill("jones")
    expect(page).to_have_url(re.compile(r"\?q=jones$"))
    search.press("Enter")
    page.wait_for_timeout(600)
    assert len(searches) == 1, searches
    page.go_back()
    expect(page).to_have_url(re.compile(r"/leads$"))
