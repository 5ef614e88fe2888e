"""The lead lists API over HTTP: shapes, scoping, validation and the audit."""

from __future__ import annotations

import io
import uuid

import pytest

from webapp.models import AuditLog, LeadList
from webapp.services.accounts.api_tokens import create_token


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace(slug="acme")
    admin = factory.user(workspace, role="admin", name="Ada Admin")
    other = factory.workspace(slug="globex")
    secret = create_token(db.session, workspace.id, "CRM sync", admin.id).secret
    other_secret = create_token(db.session, other.id, "Globex", None).secret
    db.session.commit()
    leads = [factory.lead(workspace, full_name=f"Lead {n}") for n in range(3)]
    return {
        "workspace": workspace,
        "other": other,
        "leads": leads,
        "headers": {"Authorization": f"Bearer {secret}"},
        "other_headers": {"Authorization": f"Bearer {other_secret}"},
    }


def test_make_a_list_then_read_it_and_its_members(client, db, factory, desk):
    made = client.post(
        "/api/v1/lists",
        json={"name": "Major donors", "description": "Top", "tags": ["VIP", "vip"]},
        headers=desk["headers"],
    )
    assert made.status_code == 201, made.json
    body = made.json
    assert (body["name"], body["type"], body["tags"], body["member_count"]) == (
        "Major donors",
        "static",
        ["vip"],
        0,
    )
    lead_list = db.session.get(LeadList, uuid.UUID(body["id"]))
    factory.list_member(lead_list, desk["leads"][0], notes="Call Monday")
    listed = client.get("/api/v1/lists", headers=desk["headers"]).json
    assert listed["total"] == 1 and listed["items"][0]["member_count"] == 1
    members = client.get(f"/api/v1/lists/{lead_list.id}/members", headers=desk["headers"]).json
    assert members["total"] == 1 and members["page"] == 1
    (member,) = members["items"]
    assert (member["name"], member["note"], member["status"]) == ("Lead 0", "Call Monday", "new")
    actions = {row.action for row in db.session.execute(db.select(AuditLog)).scalars()}
    assert {"list.created", "api.list.members_read"} <= actions


def test_dynamic_members_and_bad_input(client, db, factory, desk):
    dynamic = factory.lead_list(
        desk["workspace"], name="Everyone", list_type="dynamic", criteria={}
    )
    members = client.get(f"/api/v1/lists/{dynamic.id}/members", headers=desk["headers"]).json
    assert members["total"] == 3 and members["items"][0]["added_at"] is None
    refused = client.post("/api/v1/lists", json={"name": ""}, headers=desk["headers"])
    assert refused.status_code == 422 and "name" in refused.json["errors"]
    paged = client.get(f"/api/v1/lists/{dynamic.id}/members?page=0", headers=desk["headers"])
    assert paged.status_code == 422 and "page" in paged.json["errors"]
    assert client.get("/api/v1/lists").status_code == 401


def test_another_workspaces_list_is_404(client, factory, desk):
    theirs = factory.lead_list(desk["other"], name="Theirs")
    answer = client.get(f"/api/v1/lists/{theirs.id}/members", headers=desk["headers"])
    assert answer.status_code == 404 and answer.json["status"] == 404
    assert client.get("/api/v1/lists", headers=desk["headers"]).json["total"] == 0
    assert client.get("/api/v1/lists/nope/members", headers=desk["headers"]).status_code == 404


def test_lists_made_by_the_api_and_by_an_api_import_name_the_tokens_admin(
    app, client, db, desk, monkeypatch
):
    """A token acts as the admin who made it: lists it makes are theirs."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # the import runs in the request
    client.post("/api/v1/lists", json={"name": "By hand"}, headers=desk["headers"])
    upload = {
        "file": (io.BytesIO(b"Email\r\nann@example.com\r\n"), "people.csv"),
        "list_name": "From a file",
    }
    imported = client.post(
        "/api/v1/imports", data=upload, headers=desk["headers"], content_type="multipart/form-data"
    )
    assert imported.status_code == 202, imported.json
    listed = client.get("/api/v1/lists", headers=desk["headers"]).json["items"]
    assert {(i["name"], i["created_by"]) for i in listed} == {
        ("By hand", "Ada Admin"),
        ("From a file", "Ada Admin"),
    }
