"""Admins add and deactivate the users of their workspace."""

from webapp.models import Membership, User


def test_admin_adds_a_new_user_who_can_sign_in(client, factory, db):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    client.login(admin)
    response = client.post_form(
        "/settings/members",
        {
            "email": "new.rep@example.com",
            "name": "New Rep",
            "role": "rep",
            "password": "longenough1",
        },
    )
    assert response.status_code == 302
    assert "new.rep@example.com" in client.get("/settings").get_data(as_text=True)

    other = type(client)(client.application.test_client())
    assert (
        other.post_form(
            "/login", {"email": "new.rep@example.com", "password": "longenough1"}
        ).status_code
        == 302
    )


def test_adding_an_existing_user_keeps_their_password(client, factory, db):
    home = factory.workspace()
    workspace = factory.workspace()
    someone = factory.user(home, email="someone@example.com")
    admin = factory.user(workspace, role="admin")
    client.login(admin)
    response = client.post_form(
        "/settings/members", {"email": "someone@example.com", "role": "admin"}
    )
    assert response.status_code == 302
    membership = db.session.execute(
        db.select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.user_id == someone.id
        )
    ).scalar_one()
    assert membership.role == "admin"
    db.session.refresh(someone)
    assert someone.check_password("password123")


def test_invalid_new_user_shows_field_errors(client, factory, db):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    response = client.post_form(
        "/settings/members", {"email": "not-an-email", "role": "rep", "password": "x"}
    )
    assert response.status_code == 422
    assert "Email" in response.get_data(as_text=True)
    response = client.post_form(
        "/settings/members", {"email": "ok@example.com", "role": "rep", "password": "short"}
    )
    assert response.status_code == 422
    assert "at least 8 characters" in response.get_data(as_text=True)
    assert (
        db.session.execute(db.select(User).where(User.email == "ok@example.com")).scalar() is None
    )


def test_reps_cannot_manage_users(client, factory):
    workspace = factory.workspace()
    rep = factory.user(workspace, role="rep")
    admin = factory.user(workspace, role="admin")
    client.login(rep)
    assert client.get("/settings").status_code == 200
    assert (
        client.post_form(
            "/settings/members",
            {"email": "x@example.com", "role": "admin", "password": "longenough1"},
        ).status_code
        == 403
    )
    member_id = admin.memberships[0].id
    assert (
        client.post_form(f"/settings/members/{member_id}/active", {"active": "0"}).status_code
        == 403
    )


def test_admin_deactivates_and_reactivates_a_rep(client, factory, db):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    rep = factory.user(workspace, role="rep")
    client.login(admin)
    member_id = rep.memberships[0].id
    assert (
        client.post_form(f"/settings/members/{member_id}/active", {"active": "0"}).status_code
        == 302
    )

    rep_client = type(client)(client.application.test_client())
    assert (
        rep_client.post_form("/login", {"email": rep.email, "password": "password123"}).status_code
        == 401
    )

    assert (
        client.post_form(f"/settings/members/{member_id}/active", {"active": "1"}).status_code
        == 302
    )
    assert (
        rep_client.post_form("/login", {"email": rep.email, "password": "password123"}).status_code
        == 302
    )


def test_a_signed_in_rep_is_signed_out_once_deactivated(client, factory, db):
    workspace = factory.workspace()
    rep = factory.user(workspace, role="rep")
    client.login(rep)
    rep.memberships[0].active = False
    db.session.commit()
    assert client.get("/leads").status_code == 302


def test_admin_cannot_deactivate_self_or_members_elsewhere(client, factory):
    workspace = factory.workspace()
    elsewhere = factory.workspace()
    admin = factory.user(workspace, role="admin")
    stranger = factory.user(elsewhere, role="rep")
    client.login(admin)
    own = admin.memberships[0].id
    response = client.post_form(f"/settings/members/{own}/active", {"active": "0"})
    assert response.status_code == 422
    assert "cannot deactivate yourself" in response.get_data(as_text=True)
    foreign = stranger.memberships[0].id
    assert (
        client.post_form(f"/settings/members/{foreign}/active", {"active": "0"}).status_code == 404
    )


def test_admin_renames_workspace_and_sets_time_zone(client, factory, db):
    workspace = factory.workspace(name="Old Name")
    client.login(factory.user(workspace, role="admin"))
    response = client.post_form(
        "/settings/workspace", {"workspace_name": "New Name", "timezone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    db.session.refresh(workspace)
    assert (workspace.name, workspace.timezone) == ("New Name", "Europe/Berlin")
    bad = client.post_form("/settings/workspace", {"workspace_name": "", "timezone": "Mars/Base"})
    assert bad.status_code == 422
    assert "not a known time zone" in bad.get_data(as_text=True)


def test_reps_cannot_change_the_workspace(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    assert (
        client.post_form(
            "/settings/workspace", {"workspace_name": "X", "timezone": "UTC"}
        ).status_code
        == 403
    )
