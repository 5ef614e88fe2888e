"""The list's filters (My Leads' filter model) and its two ways of paging: page and cursor."""

from __future__ import annotations

import base64
import json

import pytest

from webapp.services.accounts.api_tokens import create_token
from webapp.services.leads.tags import add_tags


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace(slug="paging")
    admin = factory.user(workspace, role="admin")
    secret = create_token(db.session, workspace.id, "pager", admin.id).secret
    db.session.commit()
    return {"workspace": workspace, "headers": {"Authorization": f"Bearer {secret}"}}


def _get(client, desk, query: str = "", status: int = 200) -> dict:
    response = client.get(f"/api/v1/leads?{query}", headers=desk["headers"])
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _read_all(client, desk, query: str, limit: int) -> list[dict]:
    items, cursor = [], None
    for _ in range(50):
        page = _get(
            client, desk, f"{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        )
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ran out")


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_a_cursor_reads_every_lead_once_in_the_sorts_order(client, factory, desk, direction):
    """Company sort with blanks and ties: the id breaks ties, blanks come as in My Leads."""
    workspace = desk["workspace"]
    for n in range(9):
        company = [None, "Acme", "acme", "Globex", None, "Initech", "Acme", "", "Zeta"][n]
        factory.lead(workspace, email=f"c{n}@example.com", company_name=company)
    by_cursor = _read_all(client, desk, f"sort=company&direction={direction}", 2)
    by_page = _get(client, desk, f"sort=company&direction={direction}&limit=100")["items"]
    assert [i["id"] for i in by_cursor] == [i["id"] for i in by_page]
    assert len({i["id"] for i in by_cursor}) == 9
    companies = [(i["company"] or "").lower() or None for i in by_cursor]
    named = [c for c in companies if c]
    assert named == sorted(named, reverse=direction == "desc")
    blanks_first = direction == "desc"
    blank_positions = [n for n, c in enumerate(companies) if c is None]
    expected = list(range(3)) if blanks_first else list(range(6, 9))
    assert blank_positions == expected


def test_cursor_pages_say_where_the_next_starts_and_page_mode_does_too(client, factory, desk):
    for n in range(5):
        factory.lead(desk["workspace"], email=f"p{n}@example.com")
    first = _get(client, desk, "limit=2")
    assert first["total"] == 5 and first["next_cursor"]
    second = _get(client, desk, f"limit=2&cursor={first['next_cursor']}")
    assert second["page"] == 1 and second["total"] == 5
    by_page = _get(client, desk, "limit=2&page=2")
    assert [i["id"] for i in second["items"]] == [i["id"] for i in by_page["items"]]
    last = _get(client, desk, "limit=5")
    assert last["next_cursor"] is None


def test_a_cursor_for_another_sort_or_not_a_cursor_is_422(client, factory, desk):
    for n in range(3):
        factory.lead(desk["workspace"], email=f"s{n}@example.com")
    cursor = _get(client, desk, "limit=1&sort=email")["next_cursor"]
    other = _get(client, desk, f"limit=1&sort=name&cursor={cursor}", status=422)
    assert list(other["errors"]) == ["cursor"] and "another sort" in other["errors"]["cursor"][0]
    forged = base64.urlsafe_b64encode(json.dumps(["email", "desc", {"x": 1}, "1"]).encode())
    for bad in ("garbage!!", forged.decode(), "x" * 1001):
        answer = _get(client, desk, f"cursor={bad}", status=422)
        assert list(answer["errors"]) == ["cursor"]
        assert answer["message"] and answer["status"] == 422


def test_the_filters_of_my_leads_work_in_the_api(client, db, factory, desk):
    workspace = desk["workspace"]
    company = factory.lead(
        workspace, email="corp@example.com", type="company", company_name="Hooli", intent="hot"
    )
    factory.lead(workspace, email="ann@example.com", first_name="Ann", last_name="Hooper")
    tagged = factory.lead(workspace, email="tagged@example.com")
    add_tags(db.session, tagged, ["VIP"])
    db.session.commit()

    def ids(query):
        return [item["id"] for item in _get(client, desk, query)["items"]]

    assert ids("type=company") == [str(company.id)]
    assert ids("intent=hot") == [str(company.id)]
    assert ids("q=hooli") == [str(company.id)]
    assert ids("tag=vip") == [str(tagged.id)]
    assert len(ids("created_from=2000-01-01&created_to=2999-12-31")) == 3
    assert ids("created_to=2000-01-01") == []
    for query, field in [
        ("type=robot", "type"),
        ("intent=lukewarm", "intent"),
        ("created_from=yesterday", "created_from"),
        ("sort=owner", "sort"),
        ("direction=sideways", "direction"),
        ("q=a%00b", "q"),
    ]:
        assert list(_get(client, desk, query, status=422)["errors"]) == [field], query
