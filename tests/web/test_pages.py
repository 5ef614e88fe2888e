"""The base layout: navigation, user and workspace, htmx from static/."""


def test_layout_has_navigation_user_and_workspace(client, factory):
    workspace = factory.workspace(name="Northwind")
    user = factory.user(workspace, role="admin", name="Nora North")
    client.login(user)
    page = client.get("/leads").get_data(as_text=True)
    for label in ("Leads", "Lists", "Duplicates", "Settings", "Audit log"):
        assert f'<span class="nav-label">{label}</span></a>' in page
    assert 'aria-current="page"' in page
    assert "Nora North" in page and "Northwind" in page
    assert "/static/vendor/htmx.min.js" in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_every_nav_section_renders(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace))
    for url in (
        "/leads",
        "/lists",
        "/settings",
    ):
        assert client.get(url).status_code == 200, url


def test_sections_not_built_yet_are_neither_listed_nor_served(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace))
    page = client.get("/leads").get_data(as_text=True)
    for label in ("Campaigns", "Imports"):
        assert f'<span class="nav-label">{label}</span>' not in page
    assert '<span class="nav-label">Jobs</span>' in page  # built: listed
    for url in ("/campaigns", "/imports"):
        assert client.get(url).status_code == 404, url


def test_the_nav_lists_a_section_once_its_endpoint_exists(app):
    from webapp.navigation import NAV_ITEMS, endpoint_exists

    with app.test_request_context("/"):
        assert endpoint_exists("leads.index")
        assert endpoint_exists("jobs.index")
        assert not endpoint_exists("campaigns.index")
        assert {"contacts.index", "accounts.index", "jobs.index"} <= {
            item.endpoint for item in NAV_ITEMS
        }


def test_a_rep_sees_no_audit_log_in_the_nav(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    page = client.get("/leads").get_data(as_text=True)
    assert "Audit log" not in page and '<span class="nav-label">Settings</span>' in page


def test_static_htmx_is_served(client):
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in response.data[:2000]


def test_lead_fields_are_escaped(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace))
    lead = factory.lead(workspace, first_name="<script>alert(1)</script>", last_name="X")
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
