"""The base layout: navigation, user and workspace, htmx from static/."""


def test_layout_has_navigation_user_and_workspace(client, factory):
    workspace = factory.workspace(name="Northwind")
    user = factory.user(workspace, role="admin", name="Nora North")
    client.login(user)
    page = client.get("/leads").get_data(as_text=True)
    for label in ("Leads", "Lists", "Campaigns", "Imports", "Pipeline", "Settings"):
        assert f">{label}</a>" in page
    assert "Nora North" in page and "Northwind" in page
    assert "/static/vendor/htmx.min.js" in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_every_nav_section_renders(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace))
    for url in (
        "/leads",
        "/lists",
        "/campaigns",
        "/imports",
        "/pipeline",
        "/settings",
    ):
        assert client.get(url).status_code == 200, url


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
