"""Signing in and out, throttling, safe redirects, cookies and CSRF."""

import pytest


@pytest.fixture()
def member(factory):
    workspace = factory.workspace(name="Acme Sales")
    return factory.user(workspace, role="rep", email="rep@acme.example.com")


def test_pages_need_sign_in(client):
    response = client.get("/leads")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_signed_out_htmx_request_sends_the_whole_page_to_sign_in(client, factory):
    """Not the sign-in page as a fragment (htmx would swap it into the lead page)."""
    workspace = factory.workspace()
    lead = factory.lead(workspace)
    response = client.get(
        f"/leads/{lead.id}/fields/city/edit",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost/leads/{lead.id}?a=1"},
    )
    assert response.status_code == 401 and response.get_data() == b""
    assert response.headers["HX-Redirect"] == f"/login?next=/leads/{lead.id}?a%3D1"
    plain = client.get(f"/leads/{lead.id}/fields/city/edit")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("/login?next=")


def test_sign_in_and_out(client, member):
    response = client.post_form(
        "/login", {"email": "REP@acme.example.com ", "password": "password123"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/leads"
    page = client.get("/leads").get_data(as_text=True)
    assert "Acme Sales" in page and member.name in page

    client._token = None
    response = client.post_form("/logout")
    assert response.status_code == 302
    assert client.get("/leads").status_code == 302


def test_wrong_password_is_refused(client, member):
    response = client.post_form("/login", {"email": member.email, "password": "nope-nope"})
    assert response.status_code == 401
    assert "Email or password is not right" in response.get_data(as_text=True)
    assert client.get("/leads").status_code == 302


def test_session_cookie_flags(client, member):
    response = client.post_form("/login", {"email": member.email, "password": "password123"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("target", ["/leads?status=new", "/settings"])
def test_next_returns_to_a_local_page(client, member, target):
    response = client.post_form(
        "/login", {"email": member.email, "password": "password123", "next": target}
    )
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "http:/evil.example.com",
    ],
)
def test_next_never_leaves_the_site(client, member, target):
    response = client.post_form(
        "/login", {"email": member.email, "password": "password123", "next": target}
    )
    assert response.headers["Location"] == "/leads"


def test_failed_logins_are_throttled_per_account(client, app, member):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        assert (
            client.post_form("/login", {"email": member.email, "password": "bad"}).status_code
            == 401
        )
    response = client.post_form("/login", {"email": member.email, "password": "password123"})
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_failed_logins_are_throttled_per_ip(client, app, factory, member):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for n in range(limit):
        client.post_form("/login", {"email": f"someone{n}@example.com", "password": "bad"})
    response = client.post_form("/login", {"email": member.email, "password": "password123"})
    assert response.status_code == 429


def test_successful_logins_do_not_count(client, app, member):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit + 2):
        client._token = None
        assert (
            client.post_form(
                "/login", {"email": member.email, "password": "password123"}
            ).status_code
            == 302
        )
        client._token = None
        client.post_form("/logout")


def test_deactivated_member_cannot_sign_in(client, factory, db, member):
    member.memberships[0].active = False
    db.session.commit()
    response = client.post_form("/login", {"email": member.email, "password": "password123"})
    assert response.status_code == 401
    assert "deactivated" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, member):
    response = client.raw.post("/login", data={"email": member.email, "password": "password123"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_htmx_request_sends_csrf_in_header(client, member):
    client.login(member)
    assert client.raw.post("/logout").status_code == 400
    assert client.htmx("post", "/logout").status_code == 302


def test_switch_between_workspaces(client, factory):
    first = factory.workspace(name="Alpha Team")
    second = factory.workspace(name="Beta Team")
    user = factory.user(first, role="rep")
    factory.member(user, second, role="admin")
    lead_b = factory.lead(second, first_name="Bea", email="bea@beta.example.com")
    client.login(user, workspace=first)
    assert client.get(f"/leads/{lead_b.id}").status_code == 404
    client.post_form("/workspace", {"workspace_id": str(second.id)})
    assert client.get(f"/leads/{lead_b.id}").status_code == 200
    assert "Beta Team" in client.get("/leads").get_data(as_text=True)


def test_cannot_switch_into_a_foreign_workspace(client, factory):
    mine = factory.workspace()
    other = factory.workspace()
    user = factory.user(mine)
    secret = factory.lead(other)
    client.login(user)
    client.post_form("/workspace", {"workspace_id": str(other.id)})
    assert client.get(f"/leads/{secret.id}").status_code == 404


def test_a_page_view_does_not_rewrite_the_session_cookie(client, member):
    client.login(member)
    client.get("/leads")  # the first page settles the current workspace
    response = client.get("/leads", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_root_leads_to_my_leads_or_the_sign_in(client, member):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/leads"
    assert client.get("/leads").headers["Location"].startswith("/login")
    client.login(member)
    assert client.get("/", follow_redirects=True).request.path == "/leads"
