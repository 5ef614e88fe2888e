"""QA's mends on My Leads, the lead page and Lists: what the HTML answers now hold."""

import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import signed_in
from webapp.models import LeadList, LeadListMember
from webapp.models.base import utcnow
from webapp.models.crm import Account, Contact

RLO = "\u202e"


@pytest.fixture()
def desk(client, factory):
    workspace, user = signed_in(client, factory, role="rep", name="Rita Rep")
    lead = factory.lead(
        workspace,
        full_name="Lou Lane",
        email="lou@daily.example.com",
        company_name="Daily Planet",
        company_domain="daily.example.com",
    )
    return workspace, user, lead


def visible_text(markup: str) -> str:
    """The text a reader sees: no tags, so no attribute values either."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def next_direction(page: str, label: str) -> str:
    """The direction a click on the header `label` asks for."""
    href = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(label)}\b', page).group(1)
    # The default direction (desc) is left out of the URL.
    return parse_qs(urlsplit(html.unescape(href)).query).get("direction", ["desc"])[0]


class _TopLevel(HTMLParser):
    VOID = {"input", "br", "hr", "img", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.depth, self.found, self._in = 0, [], None

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self._in = [tag, ""]
            self.found.append(self._in)
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1

    def handle_data(self, data):
        if self.depth == 1 and self._in:
            self._in[1] += data


def top_level(body: str) -> list[list[str]]:
    """The answer's top-level elements, as [tag, their own text]."""
    parser = _TopLevel()
    parser.feed(body)
    return parser.found


def part(body: str, start: str, end: str) -> str:
    return body[body.index(start) : body.index(end, body.index(start))]


# 1. Sorting: a first click on a text column goes A→Z.


def test_a_first_click_sorts_text_up_and_numbers_and_dates_down(client, desk):
    page = client.get("/leads?sort=email&direction=asc").get_data(as_text=True)
    for label in ("Name", "Company", "Status", "Owner"):  # Source: hidden until picked
        assert next_direction(page, label) == "asc", label
    assert next_direction(page, "Intent / score") == "desc"
    assert next_direction(page, "Created") == "desc"
    assert next_direction(page, "Email") == "desc"  # the sorted column flips


def test_a_click_on_the_sorted_column_flips_it(client, desk):
    by_name_up = client.get("/leads?sort=name&direction=asc").get_data(as_text=True)
    assert next_direction(by_name_up, "Name") == "desc"
    by_name_down = client.get("/leads?sort=name&direction=desc").get_data(as_text=True)
    assert next_direction(by_name_down, "Name") == "asc"
    newest_first = client.get("/leads").get_data(as_text=True)  # sorted by Created, down
    assert next_direction(newest_first, "Created") == "asc"
    assert next_direction(newest_first, "Name") == "asc"


# 2. A status error is shown once, by the status bar.


def test_an_invalid_status_is_reported_once_by_the_status_bar(client, desk):
    _, _, lead = desk
    response = client.htmx("post", f"/leads/{lead.id}/status", data={"status": "sold"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.count("must be one of") == 1
    assert "must be one of" in part(body, 'id="status-bar"', "</nav>")
    assert "must be one of" not in part(body, 'id="lead-work"', "</article>")


def test_a_status_note_error_stays_by_the_status_bar(client, desk):
    _, _, lead = desk
    note = "x" * 10_001
    body = client.htmx(
        "post", f"/leads/{lead.id}/status", data={"status": "contacted", "note": note}
    ).get_data(as_text=True)
    assert body.count("must be at most") == 1
    assert "must be at most" in part(body, 'id="status-bar"', "</nav>")


def test_other_actions_still_report_in_the_work_panel(client, desk):
    _, _, lead = desk
    body = client.htmx("post", f"/leads/{lead.id}/priority", data={"priority": "urgent"}).get_data(
        as_text=True
    )
    assert body.count("must be one of") == 1
    assert "Priority: must be one of" in part(body, 'id="lead-work"', "</article>")
    blank = client.htmx("post", f"/leads/{lead.id}/notes", data={"note": " "}).get_data(
        as_text=True
    )
    assert "is required" in part(blank, 'id="lead-work"', "</article>")
    assert "is required" not in part(blank, 'id="status-bar"', "</nav>")


# 3. A lead with only a phone is named by it.


def test_a_phone_only_lead_is_named_by_its_phone(client, factory, desk):
    workspace, _, _ = desk
    lead = factory.lead(
        workspace, first_name=None, last_name=None, email=None, phone="(415) 555-0199"
    )
    listing = client.get("/leads?owner=any").get_data(as_text=True)
    assert 'hx-boost="false">+14155550199</a>' in listing
    assert "(unnamed lead)" not in listing
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "<h1>+14155550199</h1>" in page and "<title>+14155550199 · Leadkeeper</title>" in page


# 4. Notes keep their line breaks.


def test_a_multi_line_note_keeps_its_line_breaks(client, desk):
    _, _, lead = desk
    client.htmx("post", f"/leads/{lead.id}/notes", data={"note": "Called <twice>\nback Monday"})
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert '<bdi class="activity-text">Called &lt;twice&gt;\nback Monday</bdi>' in page
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert re.search(r"\.timeline \.activity-text \{[^}]*white-space: pre-line", css)


# 5. What a user typed is isolated from the page around it.


def test_typed_values_are_isolated_on_the_lead_page(client, db, factory, desk):
    workspace, _, lead = desk
    lead.city = f"Metro{RLO}polis"
    lead.search_query = f"jazz{RLO} pianists"
    db.session.commit()
    client.htmx("post", f"/leads/{lead.id}/notes", data={"note": f"said {RLO}hello"})
    client.htmx("post", f"/leads/{lead.id}/tags", data={"add": f"{RLO}evil"})
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert f'<span class="badge tag"><bdi>{RLO}evil</bdi>' in page
    listed = client.get("/leads?owner=any").get_data(as_text=True)
    assert f'<span class="badge tag"><bdi>{RLO}evil</bdi></span>' in listed
    city = part(page, 'id="field-city"', "</div>")
    assert f"<bdi>Metro{RLO}polis</bdi>" in city
    assert city.index("</bdi>") < city.index('class="edit-link"')
    assert f"<bdi>jazz{RLO} pianists</bdi>" in part(page, 'id="lead-origin"', "</article>")
    assert f'<bdi class="activity-text">said {RLO}hello</bdi>' in page
    assert "<bdi>Rita Rep</bdi> · <time" in page  # who did it, before the time


def test_name_and_company_are_isolated_in_my_leads(client, factory, desk):
    workspace, _, _ = desk
    lead = factory.lead(
        workspace, full_name=f"Ana{RLO} Ruiz", company_name=f"Acme{RLO}", email="ana@x.io"
    )
    listing = client.get("/leads?owner=any").get_data(as_text=True)
    row = part(listing, f'id="lead-{lead.id}"', "</tr>")
    assert re.search(rf"<bdi><a [^>]*>Ana{RLO} Ruiz</a></bdi>", row)
    assert f'<td title="Acme{RLO}"><bdi>Acme{RLO}</bdi></td>' in row


# 6. A saved name renames the tab and the heading.


@pytest.mark.parametrize(
    "field,value,shown",
    [
        ("full_name", "Lois Lane", "Lois Lane"),
        ("company_name", "Planet Daily", "Lou Lane"),  # the name still wins
    ],
)
def test_a_saved_field_sends_the_title_and_heading(client, desk, field, value, shown):
    _, _, lead = desk
    body = client.htmx("post", f"/leads/{lead.id}/fields/{field}", data={"value": value}).get_data(
        as_text=True
    )
    # At the answer's top level, where htmx looks for it (not inside a swapped part).
    assert ["title", f"{shown} · Leadkeeper"] in top_level(body)
    assert re.search(rf'id="lead-header" hx-swap-oob="true">\s*<h1>{shown}</h1>', body)


def test_a_nameless_lead_takes_its_new_phone_as_title(client, db, factory, desk):
    workspace, _, _ = desk
    lead = factory.lead(workspace, first_name=None, last_name=None, email=None, phone="+4722000001")
    lead.phone = None  # as nameless as a lead gets
    db.session.commit()
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "<title>(unnamed lead) · Leadkeeper</title>" in page
    body = client.htmx(
        "post", f"/leads/{lead.id}/fields/phone", data={"value": "+47 22 00 00 00"}
    ).get_data(as_text=True)
    assert ["title", "+4722000000 · Leadkeeper"] in top_level(body)
    assert "<h1>+4722000000</h1>" in body


def test_the_title_is_escaped(client, desk):
    _, _, lead = desk
    body = client.htmx(
        "post", f"/leads/{lead.id}/fields/full_name", data={"value": "Lou </title><b>x"}
    ).get_data(as_text=True)
    assert "<title>Lou &lt;/title&gt;&lt;b&gt;x · Leadkeeper</title>" in body


# 7. The converted box names the contact and the account.


def test_the_converted_box_names_contact_and_account_not_ids(client, db, desk):
    _, _, lead = desk
    client.htmx("post", f"/leads/{lead.id}/convert")
    db.session.refresh(lead)
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    box = part(page, 'id="lead-convert"', "</div>")
    text = visible_text(box)
    assert "Lou Lane" in text and "lou@daily.example.com" in text
    assert "Daily Planet" in text and "daily.example.com" in text
    contact_id, account_id = lead.converted_contact_id, lead.converted_account_id
    assert str(contact_id) not in text and str(account_id) not in text
    # The names link to the contact's and the account's pages.
    assert f'href="/contacts/{contact_id}"' in box and f'href="/accounts/{account_id}"' in box


def test_the_converted_box_shows_only_the_workspaces_contact_and_account(client, db, factory, desk):
    _, _, lead = desk
    elsewhere = factory.workspace()
    account = Account(workspace_id=elsewhere.id, name="Wayne Enterprises", domain="wayne.example")
    contact = Contact(workspace_id=elsewhere.id, full_name="Bruce Wayne", email="b@wayne.example")
    db.session.add_all([account, contact])
    db.session.flush()
    lead.converted_at = utcnow()
    lead.converted_account_id, lead.converted_contact_id = account.id, contact.id
    db.session.commit()
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Converted" in page
    assert "Wayne" not in page and str(account.id) not in page and str(contact.id) not in page


# 8. Lists shows the workspace's lists.


def test_lists_without_any_says_how_they_are_made(client, desk):
    page = client.get("/lists").get_data(as_text=True)
    assert "not part of this release" not in page
    assert "No lists yet." in page and "“Add to a list”" in page
    assert 'href="/leads"' in page


def test_lists_shows_the_workspaces_lists_newest_first_with_counts(client, db, factory, desk):
    workspace, _, lead = desk
    others = [factory.lead(workspace, full_name=f"Member {n}") for n in range(2)]
    now = utcnow()
    older = LeadList(
        workspace_id=workspace.id, name="Q3 <push>", created_at=now - timedelta(days=30)
    )
    newer = LeadList(workspace_id=workspace.id, name="Q4 push", created_at=now - timedelta(days=1))
    foreign = LeadList(workspace_id=factory.workspace().id, name="Not ours")
    db.session.add_all([older, newer, foreign])
    db.session.flush()
    db.session.add_all(
        [LeadListMember(lead_list_id=older.id, lead_id=x.id) for x in (lead, *others)]
        + [LeadListMember(lead_list_id=newer.id, lead_id=lead.id)]
    )
    db.session.commit()
    page = client.get("/lists").get_data(as_text=True)
    assert "Not ours" not in page and "No lists yet." not in page
    assert page.index("Q4 push") < page.index("Q3 &lt;push&gt;")
    rows = {
        name: visible_text(part(page, f'id="list-{list_id}"', "</tr>")).split()
        for name, list_id in (("older", older.id), ("newer", newer.id))
    }
    # Name, type, members, campaigns, tags (none), made by (nobody here), created.
    assert rows["older"][-5:] == ["Static", "3", "0", "—", older.created_at.strftime("%Y-%m-%d")]
    assert rows["newer"][-5:] == ["Static", "1", "0", "—", newer.created_at.strftime("%Y-%m-%d")]


def test_a_list_made_by_bulk_add_is_listed(client, factory, desk):
    workspace, _, lead = desk
    other = factory.lead(workspace, full_name="Perry White")
    client.post_form(
        "/leads/bulk",
        {"action": "add_to_list", "list_name": "Press", "lead_id": [str(lead.id), str(other.id)]},
    )
    page = client.get("/lists").get_data(as_text=True)
    assert re.search(
        r">Press</a></bdi></td>\s*<td>.*Static.*</td>\s*<td class=\"num\">2</td>", page
    )


def test_a_deleted_member_is_not_counted(client, db, factory, desk):
    workspace, _, lead = desk
    gone = factory.lead(workspace, full_name="Gone Soon")
    client.post_form(
        "/leads/bulk",
        {"action": "add_to_list", "list_name": "Press", "lead_id": [str(lead.id), str(gone.id)]},
    )
    db.session.delete(gone)
    db.session.commit()
    assert re.search(
        r">Press</a></bdi></td>\s*<td>.*Static.*</td>\s*<td class=\"num\">1</td>",
        client.get("/lists").get_data(as_text=True),
    )


def test_an_unknown_section_is_not_served(client, desk):
    assert client.get("/no-such-section").status_code == 404


def test_lists_needs_a_sign_in(app, db):
    assert app.test_client().get("/lists").status_code == 302
