"""Settings → API tokens: admins create (shown once), see and revoke tokens."""

from __future__ import annotations

import hashlib
import re

from webapp.models import AuditLog
from webapp.models.api_tokens import ApiToken
from webapp.services.accounts.api_tokens import create_token

TOKEN_IN_PAGE = re.compile(r'id="new-token" type="text" value="(lk_[A-Za-z0-9_\-]+)"')


def test_admin_creates_a_token_that_is_shown_once(client, db, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    client.login(admin)
    response = client.post_form("/settings/tokens", {"name": "Zapier"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = TOKEN_IN_PAGE.search(page).group(1)
    assert "shown only this once" in page and ">Copy</button>" in page

    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert token.name == "Zapier" and token.created_by_id == admin.id
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()

    # The token works, and the list never shows the secret again.
    api = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    listing = client.get("/settings/tokens").get_data(as_text=True)
    assert secret not in listing
    assert token.token_prefix in listing and "Zapier" in listing and "Active" in listing
    assert "Never" not in listing  # it was used just now
    audit = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "api_token.created")
    ).scalar_one()
    assert audit.user_id == admin.id and secret not in str(audit.details)


def test_a_token_needs_a_name(client, db, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    response = client.post_form("/settings/tokens", {"name": "  "})
    assert response.status_code == 422
    assert "Name is required" in response.get_data(as_text=True)
    assert db.session.execute(db.select(ApiToken)).first() is None


def test_names_are_escaped(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    client.post_form("/settings/tokens", {"name": "<script>alert(1)</script>"})
    page = client.get("/settings/tokens").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_admin_revokes_a_token(client, db, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    page = client.post_form("/settings/tokens", {"name": "Old sync"}).get_data(as_text=True)
    secret = TOKEN_IN_PAGE.search(page).group(1)
    token = db.session.execute(db.select(ApiToken)).scalar_one()

    response = client.post_form(f"/settings/tokens/{token.id}/revoke", follow_redirects=True)
    assert response.status_code == 200
    assert "was revoked" in response.get_data(as_text=True)
    assert "Revoked " in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    api = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_revoke_needs_the_csrf_token(client, db, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    client.post_form("/settings/tokens", {"name": "Keep"})
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    response = client.raw.post(f"/settings/tokens/{token.id}/revoke")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_reps_cannot_see_or_make_tokens(client, db, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    assert client.get("/settings/tokens").status_code == 403
    assert client.post_form("/settings/tokens", {"name": "Sneaky"}).status_code == 403
    assert db.session.execute(db.select(ApiToken)).first() is None


def test_another_workspaces_token_is_404_and_not_listed(client, db, factory):
    mine, theirs = factory.workspace(), factory.workspace()
    token = create_token(db.session, theirs.id, "Globex secret sync", None).token
    db.session.commit()
    client.login(factory.user(mine, role="admin"))
    assert "Globex secret sync" not in client.get("/settings/tokens").get_data(as_text=True)
    assert client.post_form(f"/settings/tokens/{token.id}/revoke").status_code == 404
    assert client.post_form("/settings/tokens/not-a-uuid/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_settings_links_admins_to_their_tokens(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    assert 'href="/settings/tokens"' in client.get("/settings").get_data(as_text=True)


def test_settings_shows_reps_no_token_link(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    assert 'href="/settings/tokens"' not in client.get("/settings").get_data(as_text=True)
