"""My Leads as the rep's own: default views, the column picker remembered per user, the board."""

import html as html_module
import re

import pytest

from tests.helpers import WebClient, activities
from webapp.models import Lead, User


def names(html: str) -> set[str]:
    found = re.findall(r'<a href="/leads/[0-9a-f-]{36}" hx-boost="false">([^<]+)</a>', html)
    return {html_module.unescape(name) for name in found}


def headers(html: str) -> list[str]:
    cells = re.findall(r'<th scope="col" class="col-\w+"[^>]*>(.*?)</th>', html, re.S)
    return [re.sub(r"<[^>]+>|[▲▼]", "", cell).strip() for cell in cells]


def h1(html: str) -> str:
    return re.search(r"<h1>([^<]+)</h1>", html).group(1)


@pytest.fixture()
def team(client, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin", name="Ada Admin")
    rep = factory.user(workspace, role="rep", name="Remy Rep")
    factory.lead(workspace, full_name="Mine One", assigned_to_id=rep.id)
    factory.lead(workspace, full_name="Mine Two", assigned_to_id=rep.id, status="qualified")
    factory.lead(workspace, full_name="Nobody's", status="contacted")
    factory.lead(workspace, full_name="Ada's", assigned_to_id=admin.id)
    return workspace, admin, rep


def test_a_rep_opens_on_their_own_leads_titled_my_leads(client, team):
    _, _, rep = team
    client.login(rep)
    html = client.get("/leads").get_data(as_text=True)
    assert h1(html) == "My Leads"
    assert names(html) == {"Mine One", "Mine Two"}
    assert 'data-owner-view="me" aria-current="page"' in html
    unassigned = client.get("/leads?owner=unassigned").get_data(as_text=True)
    assert h1(unassigned) == "Unassigned leads" and names(unassigned) == {"Nobody's"}
    everyone = client.get("/leads?owner=any").get_data(as_text=True)  # the URL holds the view
    assert h1(everyone) == "All leads" and len(names(everyone)) == 4


def test_an_admin_opens_on_all_leads(client, team):
    _, admin, _ = team
    client.login(admin)
    html = client.get("/leads").get_data(as_text=True)
    assert h1(html) == "All leads" and len(names(html)) == 4
    mine = client.get("/leads?owner=me").get_data(as_text=True)
    assert h1(mine) == "My Leads" and names(mine) == {"Ada's"}


def test_an_htmx_answer_brings_the_view_head_out_of_band(client, team):
    _, _, rep = team
    client.login(rep)
    response = client.htmx("get", "/leads?owner=unassigned")
    body = response.get_data(as_text=True)
    assert 'id="view-head" hx-swap-oob="true"' in body and "<h1>Unassigned leads</h1>" in body
    assert response.headers["HX-Push-Url"] == "/leads?owner=unassigned"


def test_source_labels_read_as_words(client, team):
    workspace, admin, _ = team
    client.login(admin)
    html = client.get("/leads?source=csv_import&source=api").get_data(as_text=True)
    assert "CSV import" in html and "API" in html
    assert "Csv import" not in html and "Api<" not in html


def test_the_column_picker_is_remembered_for_the_user_on_any_device(app, client, db, team):
    _, _, rep = team
    client.login(rep)
    response = client.htmx(
        "post",
        "/leads/columns",
        data={"columns": ["name", "created", "status"], "owner": "any"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert headers(body) == ["", "Name", "Created", "Status"]  # the select-all box first
    assert len(names(body)) == 4  # the filter sent along was kept
    db.session.expire_all()
    assert db.session.get(User, rep.id).preferences == {
        "columns": {"leads": ["name", "created", "status"]}
    }
    other_device = WebClient(app.test_client())
    other_device.login(rep)
    page = other_device.get("/leads").get_data(as_text=True)
    assert headers(page) == ["", "Name", "Created", "Status"]


def test_the_name_column_cannot_be_hidden_and_unknown_columns_are_refused(client, db, team):
    _, _, rep = team
    client.login(rep)
    client.htmx("post", "/leads/columns", data={"columns": ["email"]})
    db.session.expire_all()
    assert headers(client.get("/leads").get_data(as_text=True)) == ["", "Name", "Email"]
    refused = client.htmx("post", "/leads/columns", data={"columns": ["password_hash"]})
    assert refused.status_code == 400
    assert "unknown column" in refused.get_data(as_text=True)
    client.htmx("post", "/leads/columns", data={"reset": "1"})
    assert "Company" in headers(client.get("/leads").get_data(as_text=True))


def test_the_board_shows_the_filtered_leads_by_status_with_counts(client, factory, team):
    workspace, _, rep = team
    for n in range(53):
        factory.lead(workspace, full_name=f"Bulk {n}", assigned_to_id=rep.id)
    client.login(rep)
    html = client.get("/leads/board").get_data(as_text=True)
    assert h1(html) == "My Leads"
    columns = re.findall(
        r'id="column-(\w+)">[^<]+</span> <span class="count">([\d,+]+)</span>', html
    )
    assert columns[:4] == [("new", "54"), ("contacted", "0"), ("qualified", "1"), ("proposal", "0")]
    assert html.count('class="board-card"') == 50 + 1  # capped at 50 a column
    assert "4 more" in html
    only_qualified = client.get("/leads/board?status=qualified").get_data(as_text=True)
    assert re.findall(r'id="column-(\w+)"', only_qualified) == ["qualified"]


def test_a_card_moved_on_the_board_follows_the_status_bar_rules(client, db, factory, team):
    workspace, _, rep = team
    lead = factory.lead(workspace, full_name="Movable", assigned_to_id=rep.id)
    client.login(rep)
    response = client.htmx(
        "post", f"/leads/board/{lead.id}/status", data={"status": "closed_won", "note": "Signed"}
    )
    assert response.status_code == 200
    assert (
        response.get_json()["message"] == "\u2068Movable\u2069 moved to Closed won."
    )  # the name isolated
    db.session.expire_all()
    moved = db.session.get(Lead, lead.id)
    assert moved.status == "closed_won" and moved.closed_at is not None
    [change] = activities(db, lead, "status_changed")
    assert change.data["note"] == "Signed" and change.description == "new → closed_won: Signed"
    refused = client.htmx("post", f"/leads/board/{lead.id}/status", data={"status": "sold"})
    assert refused.status_code == 422 and refused.get_json()["error"].startswith("Status:")


def test_another_workspaces_lead_cannot_be_moved(client, factory, team):
    _, _, rep = team
    elsewhere = factory.lead(factory.workspace(), full_name="Not yours")
    client.login(rep)
    response = client.htmx("post", f"/leads/board/{elsewhere.id}/status", data={"status": "new"})
    assert response.status_code == 404


def test_a_board_move_needs_the_csrf_token(app, factory, team):
    _, _, rep = team
    lead = factory.lead(team[0], full_name="Guarded")
    raw = WebClient(app.test_client())
    raw.login(rep)
    response = raw.raw.post(f"/leads/board/{lead.id}/status", data={"status": "contacted"})
    assert response.status_code == 400


def test_a_board_filter_change_answers_with_the_board_and_its_head(client, team):
    _, _, rep = team
    client.login(rep)
    response = client.htmx("get", "/leads/board?owner=any&status=contacted")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="view-head" hx-swap-oob="true"' in body and "<h1>All leads</h1>" in body
    assert re.findall(r'id="column-(\w+)"', body) == ["contacted"]
    assert response.headers["HX-Push-Url"] == "/leads/board?status=contacted&owner=any"
