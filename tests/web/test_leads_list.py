"""My Leads: filters, search, sort, pagination, and the HTMX fragment."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import signed_in
from webapp.models import User


def names(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'<a href="/leads/[0-9a-f-]{36}" hx-boost="false">([^<]+)</a>', html)


@pytest.fixture()
def desk(client, factory, db):
    workspace, admin = signed_in(client, factory, name="Ada Admin")
    rep = factory.user(workspace, role="rep", name="Remy Rep")
    leads = {
        "Alice Archer": dict(
            company_name="Acme Corp",
            status="new",
            source="website",
            intent="hot",
            lead_score=90,
            phone="+14155550101",
            type="person",
        ),
        "Bob Baker": dict(
            company_name="Globex",
            status="contacted",
            source="referral",
            intent="warm",
            lead_score=55,
            type="person",
        ),
        "Carla Cruz": dict(
            company_name="Initech",
            status="qualified",
            source="website",
            intent="cold",
            lead_score=20,
            type="person",
        ),
        "Dyson Ltd": dict(
            company_name="Dyson Ltd",
            status="new",
            source="discovery",
            intent="unrated",
            lead_score=0,
            type="company",
            first_name=None,
            last_name=None,
        ),
    }
    made = {}
    for n, (name, fields) in enumerate(leads.items()):
        first, _, last = name.partition(" ")
        fields.setdefault("first_name", first)
        fields.setdefault("last_name", last)
        fields["full_name"] = name
        made[name] = factory.lead(
            workspace,
            email=f"{first.lower()}@{fields['company_name'].split()[0].lower()}.example.com",
            **fields,
        )
        made[name].created_at = datetime(2026, 1, 10 + n, tzinfo=UTC)
    made["Alice Archer"].assigned_to_id = admin.id
    made["Bob Baker"].assigned_to_id = rep.id
    from webapp.services.tags import add_tags

    add_tags(db.session, made["Carla Cruz"], ["enterprise"])
    db.session.commit()
    return workspace, admin, rep, made


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=new", {"Alice Archer", "Dyson Ltd"}),
        ("status=new&status=qualified", {"Alice Archer", "Dyson Ltd", "Carla Cruz"}),
        ("type=company", {"Dyson Ltd"}),
        ("source=referral", {"Bob Baker"}),
        ("owner=me", {"Alice Archer"}),
        ("owner=unassigned", {"Carla Cruz", "Dyson Ltd"}),
        ("intent=hot&intent=cold", {"Alice Archer", "Carla Cruz"}),
        ("score_min=50", {"Alice Archer", "Bob Baker"}),
        ("score_min=10&score_max=60", {"Bob Baker", "Carla Cruz"}),
        ("tag=enterprise", {"Carla Cruz"}),
        ("created_from=2026-01-11&created_to=2026-01-12", {"Bob Baker", "Carla Cruz"}),
        ("q=ACME", {"Alice Archer"}),
        ("q=bob@", {"Bob Baker"}),
        ("q=init", {"Carla Cruz"}),
        ("q=555-0101", {"Alice Archer"}),
        ("q=ruz", {"Carla Cruz"}),
        ("q=nobody-here", set()),
        ("q=100%25", set()),
        ("q=ac%00me", {"Alice Archer"}),  # a NUL cannot be in a lead: dropped, not a 500
    ],
)
def test_filters_and_search(client, desk, query, expected):
    assert set(names(client.get(f"/leads?{query}"))) == expected


def test_owner_filter_by_member(client, desk):
    _, _, rep, _ = desk
    assert names(client.get(f"/leads?owner={rep.id}")) == ["Bob Baker"]


def test_sort_each_way(client, desk):
    assert names(client.get("/leads?sort=score&direction=desc"))[:3] == [
        "Alice Archer",
        "Bob Baker",
        "Carla Cruz",
    ]
    assert names(client.get("/leads?sort=score&direction=asc"))[0] == "Dyson Ltd"
    assert names(client.get("/leads?sort=created&direction=asc")) == [
        "Alice Archer",
        "Bob Baker",
        "Carla Cruz",
        "Dyson Ltd",
    ]
    assert names(client.get("/leads")) == ["Dyson Ltd", "Carla Cruz", "Bob Baker", "Alice Archer"]
    assert names(client.get("/leads?sort=company&direction=asc"))[0] == "Alice Archer"
    page = client.get("/leads?sort=score&direction=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in page


def test_name_sort_orders_by_the_name_each_row_shows(client, factory):
    workspace, _ = signed_in(client, factory)
    factory.lead(workspace, first_name="Zed", last_name="Zimmer", email="z@example.com")
    factory.lead(
        workspace, type="company", first_name=None, last_name=None, company_name="Acme Ltd"
    )
    factory.lead(workspace, first_name="Mia", last_name=None, email="m@example.com")
    factory.lead(workspace, first_name=None, last_name=None, company_name=None, email="b@x.io")
    shown = ["Acme Ltd", "b@x.io", "Mia", "Zed Zimmer"]
    assert names(client.get("/leads?sort=name&direction=asc")) == shown
    assert names(client.get("/leads?sort=name&direction=desc")) == shown[::-1]


def test_owner_sort_orders_by_the_owner_each_row_shows(client, factory, db):
    workspace, _ = signed_in(client, factory, name="zoe Zed")
    unnamed = factory.user(workspace, email="adam@example.com")
    unnamed.name = ""  # shown by e-mail address
    db.session.commit()
    admin_id = db.session.execute(db.select(User.id).where(User.name == "zoe Zed")).scalar_one()
    factory.lead(workspace, full_name="Owned by Zoe", assigned_to_id=admin_id)
    factory.lead(workspace, full_name="Owned by Adam", assigned_to_id=unnamed.id)
    factory.lead(workspace, full_name="Nobody at all")
    shown = ["Owned by Adam", "Owned by Zoe", "Nobody at all"]
    assert names(client.get("/leads?sort=owner&direction=asc")) == shown
    assert names(client.get("/leads?sort=owner&direction=desc")) == shown[::-1]


def test_pagination_edges_and_page_size(client, factory, db):
    workspace, _ = signed_in(client, factory)
    start = datetime(2026, 2, 1, tzinfo=UTC)
    for n in range(53):
        lead = factory.lead(workspace, full_name=f"Person {n:02d}", email=f"p{n}@example.com")
        lead.created_at = start + timedelta(minutes=n)
    db.session.commit()
    first = client.get("/leads")
    assert len(names(first)) == 25 and "53 leads" in first.get_data(as_text=True)
    assert "Page 1 of 3" in first.get_data(as_text=True)
    last = client.get("/leads?page=3")
    assert names(last) == ["Person 02", "Person 01", "Person 00"]
    assert 'rel="next"' not in last.get_data(as_text=True)
    assert names(client.get("/leads?page=99")) == names(last)  # clamped to the last page
    assert len(names(client.get("/leads?per_page=50"))) == 50
    assert len(names(client.get("/leads?per_page=100"))) == 53
    assert len(names(client.get("/leads?per_page=7"))) == 25  # only 25/50/100
    everyone = set()
    for page in (1, 2, 3):
        everyone |= set(names(client.get(f"/leads?page={page}")))
    assert len(everyone) == 53


def test_htmx_fragment_has_the_same_rows_and_a_tidy_url(client, desk):
    full = client.get("/leads?status=new&q=&tag=")
    fragment = client.get("/leads?status=new&q=&tag=", headers={"HX-Request": "true"})
    assert names(fragment) == names(full)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="filters"' not in body
    assert fragment.headers["HX-Push-Url"] == "/leads?status=new"


def test_url_state_links_keep_filters(client, desk):
    page = client.get("/leads?status=new&sort=score&direction=asc").get_data(as_text=True)
    assert 'href="/leads?status=new&amp;sort=score"' in page  # flipping the sort keeps the filter
    assert "export.csv?status=new" in page


def test_converted_badge_in_table(client, desk, db):
    *_, made = desk
    made["Bob Baker"].converted_at = datetime.now(UTC)
    db.session.commit()
    assert "Converted" in client.get("/leads?q=bob").get_data(as_text=True)


def test_only_this_workspace(client, desk, factory):
    other = factory.workspace()
    factory.lead(other, full_name="Zed Stranger", email="zed@example.com")
    assert "Zed Stranger" not in client.get("/leads").get_data(as_text=True)
    assert "Zed Stranger" not in client.get("/leads?q=zed").get_data(as_text=True)


def test_totals_are_capped_and_said_plainly(client, factory, db, monkeypatch):
    from webapp.services import lead_pages

    monkeypatch.setattr(lead_pages, "COUNT_CAP", 30)
    monkeypatch.setattr(lead_pages, "MAX_ROWS", 50)
    workspace, _ = signed_in(client, factory)
    for n in range(60):
        factory.lead(workspace, full_name=f"Many {n:02d}", email=f"many{n}@example.com")
    first = client.get("/leads")
    text = first.get_data(as_text=True)
    assert "More than 30 leads match" in text and 'rel="next"' in text
    assert "Page 1</span>" in text  # no "of N" when the total is not known
    second = client.get("/leads?page=2")
    assert len(names(second)) == 25 and 'rel="next"' not in second.get_data(as_text=True)
    assert names(client.get("/leads?page=9")) == names(second)


def test_the_page_costs_the_same_queries_for_a_small_or_a_large_team(client, factory, db):
    """No query per member, per row or per tag: a team of eight costs what a team of one does."""
    from sqlalchemy import event

    workspace, admin = signed_in(client, factory)
    factory.lead(workspace, assigned_to_id=admin.id, tags=["vip"])

    def statements() -> int:
        seen = []

        def count(*_args):
            seen.append(1)

        db.session.expire_all()  # as a new request in production: nothing preloaded
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get("/leads", headers={"HX-Request": "true"})
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(seen)

    small = statements()
    for n in range(7):
        rep = factory.user(workspace, role="rep", name=f"Rep {n}")
        for _ in range(3):
            factory.lead(workspace, assigned_to_id=rep.id, tags=[f"tag-{n}", "vip"])
    db.session.expire_all()
    page = client.get("/leads", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Rep 6" in page and "tag-6" in page  # owners and tags are rendered
    assert statements() == small


def _driver_state_during(client, db, url: str) -> list[tuple[str, bool, object]]:
    """Each statement of a request, with its connection's autocommit and prepare setting."""
    from sqlalchemy import event

    seen = []

    def note(conn, _cursor, statement, *_args):
        driver = conn.connection.driver_connection
        seen.append((statement, driver.autocommit, driver.prepare_threshold))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.get(url, headers={"HX-Request": "true"})
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert response.status_code == 200
    return seen


def test_a_search_is_planned_for_its_own_pattern_on_postgresql(client, factory, db):
    """A generic plan for LIKE '%…%' is slow: a search is never a prepared statement."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    workspace, _ = signed_in(client, factory)
    factory.lead(workspace, first_name="Alice", company_name="Acme Corp")
    for _ in range(7):  # past psycopg's threshold: a repeated statement would be prepared
        seen = _driver_state_during(client, db, "/leads?q=acme")
    searches = [threshold for statement, _, threshold in seen if " LIKE " in statement.upper()]
    assert searches and all(threshold is None for threshold in searches)
    with db.engine.connect() as conn:  # back in the pool, the connection prepares again
        assert conn.connection.driver_connection.prepare_threshold == 5


def test_my_leads_reads_without_a_transaction_on_postgresql(client, factory, db):
    """Only reads: no BEGIN and no ROLLBACK round trips; the pool gets a normal connection."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the round trips saved are PostgreSQL's")
    workspace, _ = signed_in(client, factory)
    factory.lead(workspace, first_name="Alice", tags=["vip"])
    seen = _driver_state_during(client, db, "/leads")  # user, count, rows with their tags
    assert len(seen) >= 3 and all(autocommit for _, autocommit, _ in seen)
    # What runs next on this session (or on the pooled connection) has a transaction.
    assert db.session.connection().connection.driver_connection.autocommit is False
    db.session.rollback()
    assert names(client.get("/leads")) == ["Alice Person"]


def _state_inputs(html: str) -> dict[str, str]:
    """The sort and page size the filter form sends, wherever they are rendered."""
    return dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)" form="filters">', html)
    )


def test_the_fragment_carries_the_sort_and_page_size_the_filter_form_sends(client, desk):
    url = "/leads?q=a&sort=company&direction=asc&per_page=50&page=1"
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    full = client.get(url).get_data(as_text=True)
    expected = {"sort": "company", "direction": "asc", "per_page": "50"}
    assert _state_inputs(fragment) == _state_inputs(full) == expected
    assert 'name="page"' not in full  # a filter change starts again at page 1


def test_no_browser_cache_mixes_up_the_fragment_and_the_page(client, desk):
    """Both live at one URL; Back from a lead page must not show a cached bare fragment."""
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/leads?page=1&sort=status", headers=headers)
        assert response.headers["Cache-Control"] == "no-store"
        assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_whole_page_with_the_form_as_the_url_says(client, desk):
    response = client.get(
        "/leads?q=globex&status=contacted",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert "HX-Push-Url" not in response.headers
    assert 'id="filters"' in html and 'hx-history="false"' in html
    assert 'name="q" value="globex"' in html
    assert 'value="contacted" checked' in html
    assert 'data-label="Status"><span>Status: Contacted</span>' in html
    assert names(response) == ["Bob Baker"]


def test_each_row_shows_its_owner_tags_and_conversion(client, desk, db):
    from webapp.services.tags import add_tags

    _, _, _, made = desk
    add_tags(db.session, made["Carla Cruz"], ["Zeta", "alpha"])
    made["Bob Baker"].converted_at = datetime(2026, 2, 1, tzinfo=UTC)
    db.session.commit()
    html = client.get("/leads?sort=name&direction=asc").get_data(as_text=True)
    rows = dict(
        (re.search(r'hx-boost="false">([^<]+)</a>', row).group(1), row)
        for row in re.findall(r'<tr id="lead-.*?</tr>', html, flags=re.S)
    )
    assert list(rows) == ["Alice Archer", "Bob Baker", "Carla Cruz", "Dyson Ltd"]
    assert '<td title="Ada Admin">Ada Admin</td>' in rows["Alice Archer"]
    assert '<td title="Remy Rep">Remy Rep</td>' in rows["Bob Baker"]
    assert '<span class="muted">Unassigned</span>' in rows["Dyson Ltd"]
    tags = re.findall(r'<span class="badge tag"><bdi>([^<]+)</bdi></span>', rows["Carla Cruz"])
    assert tags == sorted(tags) and {t.lower() for t in tags} == {"alpha", "enterprise", "zeta"}
    assert "Converted" in rows["Bob Baker"] and "Converted" not in rows["Alice Archer"]
    assert 'class="badge tag"' not in rows["Alice Archer"]


def test_owner_sort_pages_through_every_lead_once(client, factory, db):
    """Each owner's leads newest first, owners by name, unassigned last going up."""
    workspace, admin = signed_in(client, factory, name="Bea Boss")
    amy = factory.user(workspace, name="amy Adams")
    expected = []
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for owner, count in ((amy, 12), (admin, 10), (None, 8)):
        made = []
        for n in range(count):
            lead = factory.lead(
                workspace,
                full_name=f"{owner.name if owner else 'Nobody'} {n:02}",
                assigned_to_id=owner.id if owner else None,
            )
            lead.created_at = start + timedelta(hours=len(expected) + n)
            made.append(lead.full_name)
        db.session.commit()
        expected += made[::-1]  # newest first within an owner
    pages = [names(client.get(f"/leads?sort=owner&direction=asc&page={p}")) for p in (1, 2)]
    assert pages[0] + pages[1] == expected
    down = [names(client.get(f"/leads?sort=owner&direction=desc&page={p}")) for p in (1, 2)]
    by_owner_down = expected[22:] + expected[12:22] + expected[:12]
    assert down[0] + down[1] == by_owner_down
