"""API tokens over HTTP: bearer auth, hashing, last use, revocation, rate limit, CLI."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import pytest

from webapp.models import AuditLog
from webapp.models.api_tokens import ApiToken
from webapp.models.base import utcnow
from webapp.services.accounts.api_tokens import create_token


def make_token(db, workspace, user=None, name="Integration") -> str:
    new = create_token(db.session, workspace.id, name, user.id if user else None)
    db.session.commit()
    return new.secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_missing_token_is_401_json_with_a_bearer_challenge(client, factory):
    factory.workspace()
    response = client.get("/api/v1/leads")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "invalid_token" not in response.headers["WWW-Authenticate"]
    assert response.is_json and response.json["status"] == 401
    assert "Bearer" in response.json["message"]


@pytest.mark.parametrize(
    "header",
    ["Bearer lk_not-a-real-token", "Bearer something-else", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_an_unknown_or_malformed_token_is_401(client, factory, header):
    factory.workspace()
    response = client.get("/api/v1/leads", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.is_json
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_token_is_stored_hashed_and_shows_only_its_prefix(db, factory):
    workspace = factory.workspace()
    secret = make_token(db, workspace)
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert secret.startswith("lk_") and len(secret) > 40
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.token_prefix == secret[:10]
    stored = [str(value) for value in row.__dict__.values()]
    assert not any(secret in value for value in stored)


def test_a_valid_token_works_and_records_its_last_use_once_a_minute(client, db, factory):
    workspace = factory.workspace()
    secret = make_token(db, workspace)
    assert db.session.execute(db.select(ApiToken)).scalar_one().last_used_at is None

    assert client.get("/api/v1/leads", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    first_use = db.session.execute(db.select(ApiToken)).scalar_one().last_used_at
    assert first_use is not None and utcnow() - first_use < timedelta(seconds=30)

    # Within the minute: no further write.
    assert client.get("/api/v1/leads", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    assert db.session.execute(db.select(ApiToken)).scalar_one().last_used_at == first_use

    # Over a minute later: written again.
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    token.last_used_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert client.get("/api/v1/leads", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    later = db.session.execute(db.select(ApiToken)).scalar_one().last_used_at
    assert utcnow() - later < timedelta(seconds=30)


def test_a_revoked_token_is_refused(client, db, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    secret = make_token(db, workspace, admin)
    assert client.get("/api/v1/leads", headers=bearer(secret)).status_code == 200

    client.login(admin)
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    revoked = client.post_form(f"/settings/tokens/{token.id}/revoke")
    assert revoked.status_code == 302

    response = client.get("/api/v1/leads", headers=bearer(secret))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "revoked" in response.json["message"]


def test_the_session_cookie_is_no_way_into_the_api(client, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    client.login(admin)
    assert client.get("/api/v1/leads").status_code == 401


def test_each_token_has_its_own_rate_limit(app, client, db, factory):
    workspace = factory.workspace()
    factory.lead(workspace)
    first, second = make_token(db, workspace, name="one"), make_token(db, workspace, name="two")
    saved = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        answers = [client.get("/api/v1/leads", headers=bearer(first)) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
        assert answers[0].headers["X-RateLimit-Limit"] == "3"
        assert int(answers[0].headers["X-RateLimit-Reset"]) > time.time()
        limited = client.get("/api/v1/leads", headers=bearer(first))
        assert limited.status_code == 429
        assert limited.is_json and limited.json["status"] == 429
        assert int(limited.headers["Retry-After"]) > 0
        assert limited.headers["X-RateLimit-Remaining"] == "0"
        assert limited.headers["X-RateLimit-Limit"] == "3"
        assert int(limited.headers["X-RateLimit-Reset"]) >= int(time.time())
        # One allowance per token across the endpoints, not one per endpoint.
        lead_id = answers[0].json["items"][0]["id"]
        assert client.get(f"/api/v1/leads/{lead_id}", headers=bearer(first)).status_code == 429
        # The other token still has its whole allowance.
        assert client.get("/api/v1/leads", headers=bearer(second)).status_code == 200
        assert client.get(f"/api/v1/leads/{lead_id}", headers=bearer(second)).json["id"] == lead_id
        assert (
            client.get(f"/api/v1/leads/{lead_id}", headers=bearer(second)).headers[
                "X-RateLimit-Remaining"
            ]
            == "0"
        )
    finally:
        app.config["API_RATE_LIMIT"] = saved
    listed = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "api.leads.listed")
    ).scalars()
    assert len(list(listed)) == 4  # the refused call read nothing


def test_cli_prints_a_working_token(app, client, db, factory):
    workspace = factory.workspace(slug="acme")
    factory.lead(workspace, email="cli-lead@example.com")
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "--workspace", "acme", "--name", "Warehouse sync"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("lk_") and "\n" not in secret
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert token.name == "Warehouse sync" and token.workspace_id == workspace.id
    response = client.get("/api/v1/leads", headers=bearer(secret))
    assert response.status_code == 200
    assert [item["email"] for item in response.json["items"]] == ["cli-lead@example.com"]


def test_a_cli_token_can_act_as_an_admin(app, client, db, factory):
    workspace = factory.workspace(slug="acme")
    admin = factory.user(workspace, role="admin", name="Ada Admin", email="ada@example.com")
    factory.user(workspace, role="rep", email="rex@example.com")
    runner = app.test_cli_runner()
    base = ["tokens", "create", "--workspace", "acme", "--name"]
    refused = runner.invoke(args=[*base, "Sync", "--as", "rex@example.com"])
    assert refused.exit_code != 0 and "not an active admin of the workspace 'acme'" in (
        refused.output
    )
    made = runner.invoke(args=[*base, "Sync", "--as", "ADA@example.com"])
    assert made.exit_code == 0, made.output
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert token.created_by_id == admin.id
    client.post("/api/v1/lists", json={"name": "Synced"}, headers=bearer(made.stdout.strip()))
    listed = client.get("/api/v1/lists", headers=bearer(made.stdout.strip())).json["items"]
    assert [(i["name"], i["created_by"]) for i in listed] == [("Synced", "Ada Admin")]


def test_cli_refuses_an_unknown_workspace(app, db):
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "--workspace", "nope", "--name", "x"]
    )
    assert result.exit_code != 0
    assert "No workspace with the slug 'nope'" in result.output
    assert db.session.execute(db.select(ApiToken)).first() is None


def test_cli_lists_and_revokes(app, client, db, factory):
    workspace = factory.workspace(slug="acme")
    secret = make_token(db, workspace, name="Old sync")
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["tokens", "list", "--workspace", "acme"])
    assert token.token_prefix in listed.output and "Old sync" in listed.output
    assert secret not in listed.output
    revoked = runner.invoke(args=["tokens", "revoke", "--workspace", "acme", str(token.id)])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/leads", headers=bearer(secret)).status_code == 401
