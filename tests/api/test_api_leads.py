"""The admin lead API over HTTP: shapes, filters, changes, scoping and errors."""

from __future__ import annotations

import re
import uuid

import pytest

from webapp.models import AuditLog, Event, Lead, LeadActivity
from webapp.services.accounts.api_tokens import create_token

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture()
def desk(db, factory):
    """A workspace with an admin, a rep, a token, and a second workspace with its own."""
    workspace = factory.workspace(slug="acme")
    admin = factory.user(workspace, role="admin", name="Ada Admin")
    rep = factory.user(workspace, role="rep", name="Rex Rep")
    other = factory.workspace(slug="globex")
    outsider = factory.user(other, role="admin")
    secret = create_token(db.session, workspace.id, "CRM sync", admin.id).secret
    other_secret = create_token(db.session, other.id, "Globex", outsider.id).secret
    db.session.commit()
    return {
        "workspace": workspace,
        "admin": admin,
        "rep": rep,
        "other": other,
        "outsider": outsider,
        "headers": {"Authorization": f"Bearer {secret}"},
        "other_headers": {"Authorization": f"Bearer {other_secret}"},
    }


def test_list_has_the_seed_shape(client, factory, desk):
    lead = factory.lead(
        desk["workspace"], full_name="John Doe", email="john@example.com", source="referral"
    )
    response = client.get("/api/v1/leads", headers=desk["headers"])
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 1 and body["page"] == 1 and body["limit"] == 20
    item = body["items"][0]
    assert item["id"] == str(lead.id)
    assert item["name"] == "John Doe"
    assert item["email"] == "john@example.com"
    assert item["status"] == "new" and item["source"] == "referral"
    assert ISO_Z.match(item["created_at"])
    assert response.headers["Cache-Control"] == "no-store"


def test_list_filters_and_pages(client, factory, desk):
    workspace, rep = desk["workspace"], desk["rep"]
    for n in range(5):
        factory.lead(workspace, email=f"web{n}@example.com", source="website")
    social = factory.lead(workspace, email="social@example.com", source="social")
    qualified = factory.lead(workspace, email="q@example.com", status="qualified")
    owned = factory.lead(workspace, email="owned@example.com", source="referral")
    owned.assigned_to_id = rep.id
    factory.session.commit()
    headers = desk["headers"]

    def emails(url):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        return response.json, {item["email"] for item in response.json["items"]}

    _, found = emails("/api/v1/leads?source=social")
    assert found == {social.email}
    _, found = emails("/api/v1/leads?status=qualified")
    assert found == {qualified.email}
    _, found = emails(f"/api/v1/leads?assigned_to={rep.id}")
    assert found == {owned.email}
    body, found = emails("/api/v1/leads?assigned_to=none")
    assert owned.email not in found and body["total"] == 7
    body, _ = emails("/api/v1/leads?status=&source=&assigned_to=")  # empty: no filter
    assert body["total"] == 8

    first, first_emails = emails("/api/v1/leads?limit=3&page=1")
    second, second_emails = emails("/api/v1/leads?limit=3&page=2")
    third, third_emails = emails("/api/v1/leads?limit=3&page=3")
    assert first["total"] == 8 and first["limit"] == 3 and second["page"] == 2
    assert len(first_emails) == 3 and len(second_emails) == 3 and len(third_emails) == 2
    assert len(first_emails | second_emails | third_emails) == 8
    newest_first = [item["created_at"] for item in first["items"]]
    assert newest_first == sorted(newest_first, reverse=True)


def test_list_limit_is_capped_at_100(client, factory, desk):
    factory.lead(desk["workspace"])
    body = client.get("/api/v1/leads?limit=500", headers=desk["headers"]).json
    assert body["limit"] == 100 and len(body["items"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=pending", "status"),
        ("source=fax", "source"),
        ("assigned_to=bob", "assigned_to"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("limit=-5", "limit"),
        ("page=100001", "page"),
    ],
)
def test_bad_list_parameters_are_422_with_field_and_reason(client, desk, query, field):
    response = client.get(f"/api/v1/leads?{query}", headers=desk["headers"])
    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]
    assert response.json["errors"][field]


def test_listing_and_viewing_are_audited(client, db, factory, desk):
    lead = factory.lead(desk["workspace"], source="social")
    client.get("/api/v1/leads?source=social&limit=5", headers=desk["headers"])
    client.get(f"/api/v1/leads/{lead.id}", headers=desk["headers"])
    rows = {r.action: r for r in db.session.execute(db.select(AuditLog)).scalars()}
    listed = rows["api.leads.listed"]
    assert listed.details["filter"] == {"source": "social"}
    assert listed.details["count"] == 1 and listed.details["limit"] == 5
    assert listed.details["api_token"] == "CRM sync"
    assert listed.workspace_id == desk["workspace"].id and listed.user_id == desk["admin"].id
    viewed = rows["api.lead.viewed"]
    assert viewed.object_id == str(lead.id) and viewed.object_type == "lead"


def test_detail_has_the_seed_shape_with_activities(client, factory, desk):
    lead = factory.lead(
        desk["workspace"],
        full_name="John Doe",
        email="john@example.com",
        phone="+919876543210",
        company_name="Acme Corp",
        message="Interested in your services",
        job_title="CTO",
    )
    response = client.get(f"/api/v1/leads/{lead.id}", headers=desk["headers"])
    assert response.status_code == 200
    body = response.json
    assert body["id"] == str(lead.id) and body["name"] == "John Doe"
    assert body["phone"] == "+919876543210" and body["company"] == "Acme Corp"
    assert body["message"] == "Interested in your services"
    assert body["priority"] == "medium" and body["assigned_to"] is None
    assert body["job_title"] == "CTO"
    assert ISO_Z.match(body["created_at"]) and ISO_Z.match(body["updated_at"])
    [created] = body["activities"]
    assert created["activity_type"] == "created"
    assert created["description"] == "Lead created from website"
    assert ISO_Z.match(created["created_at"])


def test_status_change_writes_activity_and_event(client, db, factory, desk):
    lead = factory.lead(desk["workspace"])
    response = client.patch(
        f"/api/v1/leads/{lead.id}/status",
        json={"status": "contacted", "notes": "Called, wants a proposal"},
        headers=desk["headers"],
    )
    assert response.status_code == 200
    assert response.json["id"] == str(lead.id) and response.json["status"] == "contacted"
    assert ISO_Z.match(response.json["updated_at"])
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "contacted"
    activity = db.session.execute(
        db.select(LeadActivity).where(LeadActivity.activity_type == "status_changed")
    ).scalar_one()
    assert "Called, wants a proposal" in activity.description
    assert activity.performed_by_id == desk["admin"].id
    event = db.session.execute(
        db.select(Event).where(Event.event_type == "LeadStatusChanged")
    ).scalar_one()
    assert event.payload["old_status"] == "new" and event.payload["new_status"] == "contacted"


def test_status_change_refuses_bad_status(client, db, factory, desk):
    lead = factory.lead(desk["workspace"])
    response = client.patch(
        f"/api/v1/leads/{lead.id}/status", json={"status": "won"}, headers=desk["headers"]
    )
    assert response.status_code == 422
    assert response.json["errors"]["status"][0].startswith("must be one of")
    missing = client.patch(f"/api/v1/leads/{lead.id}/status", json={}, headers=desk["headers"])
    assert missing.json["errors"] == {"status": ["is required"]}
    number = client.patch(
        f"/api/v1/leads/{lead.id}/status", json={"status": 5}, headers=desk["headers"]
    )
    assert number.json["errors"]["status"][0].startswith("must be one of new, contacted")
    for wrong in ("bogus", 5, ["new"], {"a": 1}):
        body = {"status": "qualified", "expected_status": wrong}
        refused = client.patch(
            f"/api/v1/leads/{lead.id}/status", json=body, headers=desk["headers"]
        )
        assert refused.status_code == 422
        assert refused.json["errors"]["expected_status"][0].endswith("or null")
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "new"


def test_status_change_with_a_stale_expectation_is_409(client, db, factory, desk):
    lead = factory.lead(desk["workspace"], status="qualified")
    response = client.patch(
        f"/api/v1/leads/{lead.id}/status",
        json={"status": "contacted", "expected_status": "new"},
        headers=desk["headers"],
    )
    assert response.status_code == 409
    assert response.json["current_status"] == "qualified"
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "qualified"
    fresh = client.patch(
        f"/api/v1/leads/{lead.id}/status",
        json={"status": "proposal", "expected_status": "qualified"},
        headers=desk["headers"],
    )
    assert fresh.status_code == 200 and fresh.json["status"] == "proposal"


def test_assign_writes_event_and_unassigns_with_null(client, db, factory, desk):
    lead = factory.lead(desk["workspace"])
    rep = desk["rep"]
    response = client.post(
        f"/api/v1/leads/{lead.id}/assign",
        json={"assigned_to": str(rep.id)},
        headers=desk["headers"],
    )
    assert response.status_code == 200
    assert response.json["id"] == str(lead.id) and response.json["assigned_to"] == str(rep.id)
    assert ISO_Z.match(response.json["updated_at"])
    event = db.session.execute(
        db.select(Event).where(Event.event_type == "LeadAssigned")
    ).scalar_one()
    assert event.payload["assigned_to"] == str(rep.id)
    assert event.payload["assigned_by"] == str(desk["admin"].id)

    cleared = client.post(
        f"/api/v1/leads/{lead.id}/assign", json={"assigned_to": None}, headers=desk["headers"]
    )
    assert cleared.status_code == 200 and cleared.json["assigned_to"] is None
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).assigned_to_id is None


@pytest.mark.parametrize("who", ["outsider", "random", "garbage", "missing", "number"])
def test_assign_refuses_non_members(client, db, factory, desk, who):
    lead = factory.lead(desk["workspace"])
    body = {
        "outsider": {"assigned_to": str(desk["outsider"].id)},
        "random": {"assigned_to": str(uuid.uuid4())},
        "garbage": {"assigned_to": "bob"},
        "missing": {},
        "number": {"assigned_to": 42},
    }[who]
    response = client.post(f"/api/v1/leads/{lead.id}/assign", json=body, headers=desk["headers"])
    assert response.status_code == 422
    [reason] = response.json["errors"]["assigned_to"]
    if who in ("garbage", "number"):
        assert reason == "must be a user id (a UUID) or null"
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).assigned_to_id is None
    assert (
        db.session.execute(db.select(Event).where(Event.event_type == "LeadAssigned")).first()
        is None
    )


def test_add_activity_is_201_and_on_the_timeline(client, db, factory, desk):
    lead = factory.lead(desk["workspace"])
    response = client.post(
        f"/api/v1/leads/{lead.id}/activities",
        json={"activity_type": "note_added", "description": "Customer requested pricing"},
        headers=desk["headers"],
    )
    assert response.status_code == 201
    assert response.json["activity_type"] == "note_added"
    assert response.json["description"] == "Customer requested pricing"
    assert response.json["performed_by"] == str(desk["admin"].id)
    detail = client.get(f"/api/v1/leads/{lead.id}", headers=desk["headers"]).json
    assert detail["activities"][0]["id"] == response.json["id"]
    contacted = client.post(
        f"/api/v1/leads/{lead.id}/activities",
        json={"activity_type": "contacted"},
        headers=desk["headers"],
    )
    assert contacted.status_code == 201 and contacted.json["description"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"activity_type": "merged", "description": "x"}, "activity_type"),
        ({"description": "no type"}, "activity_type"),
        ({"activity_type": "note_added"}, "description"),
        ({"activity_type": "note_added", "description": "   "}, "description"),
        ({"activity_type": "note_added", "description": "x" * 10_001}, "description"),
        ({"activity_type": "contacted", "description": ["list"]}, "description"),
        ({"activity_type": "note_added", "description": "a\x00b"}, "description"),
    ],
)
def test_add_activity_validates(client, db, factory, desk, body, field):
    lead = factory.lead(desk["workspace"])
    response = client.post(
        f"/api/v1/leads/{lead.id}/activities", json=body, headers=desk["headers"]
    )
    assert response.status_code == 422
    assert field in response.json["errors"]
    kinds = db.session.execute(db.select(LeadActivity.activity_type)).scalars().all()
    assert kinds == ["created"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "/status", {"status": "contacted"}),
        ("post", "/assign", {"assigned_to": None}),
        ("post", "/activities", {"activity_type": "contacted"}),
    ],
)
def test_another_workspaces_lead_is_404(client, db, factory, desk, method, suffix, body):
    theirs = factory.lead(desk["other"], email="secret@globex.com")
    url = f"/api/v1/leads/{theirs.id}{suffix}"
    response = client.open(url, method=method.upper(), json=body, headers=desk["headers"])
    assert response.status_code == 404 and response.is_json
    assert "secret@globex.com" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, theirs.id).status == "new"
    assert len(db.session.get(Lead, theirs.id).activities) == 1
    # Their own token sees it.
    own = client.get(f"/api/v1/leads/{theirs.id}", headers=desk["other_headers"])
    assert own.status_code == 200


def test_the_list_never_shows_another_workspaces_leads(client, factory, desk):
    mine = factory.lead(desk["workspace"], email="mine@acme.com")
    factory.lead(desk["other"], email="theirs@globex.com")
    body = client.get("/api/v1/leads", headers=desk["headers"]).json
    assert body["total"] == 1 and [i["id"] for i in body["items"]] == [str(mine.id)]


def test_unknown_and_malformed_ids_are_404(client, desk):
    for lead_id in (uuid.uuid4(), "not-a-uuid"):
        response = client.get(f"/api/v1/leads/{lead_id}", headers=desk["headers"])
        assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize(
    "data", ["{not json", "[1, 2]", '"text"', ""], ids=["broken", "array", "string", "empty"]
)
def test_a_body_that_is_not_a_json_object_is_400(client, factory, desk, data):
    lead = factory.lead(desk["workspace"])
    response = client.patch(
        f"/api/v1/leads/{lead.id}/status",
        data=data,
        content_type="application/json",
        headers=desk["headers"],
    )
    assert response.status_code == 400
    assert response.json["message"] == "The body must be a JSON object."


def test_wrong_methods_and_unknown_paths_answer_json(client, factory, desk):
    lead = factory.lead(desk["workspace"])
    wrong = client.delete(f"/api/v1/leads/{lead.id}", headers=desk["headers"])
    assert wrong.status_code == 405 and wrong.is_json
    assert "GET" in wrong.headers["Allow"]
    unknown = client.get("/api/v1/nothing-here", headers=desk["headers"])
    assert unknown.status_code == 404 and unknown.is_json


def test_openapi_document_is_public_and_describes_every_endpoint(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]["/api/v1/leads"]) == {"get", "post"}
    assert "patch" in document["paths"]["/api/v1/leads/{lead_id}/status"]
    assert "post" in document["paths"]["/api/v1/leads/{lead_id}/assign"]
    assert "post" in document["paths"]["/api/v1/leads/{lead_id}/activities"]
    assert "get" in document["paths"]["/api/v1/leads/{lead_id}"]
    assert "get" in document["paths"]["/health"]
    capture = document["paths"]["/api/v1/leads"]["post"]
    assert {"201", "400", "404", "409", "413", "422", "429"} <= set(capture["responses"])


@pytest.mark.parametrize(
    "path, body",
    [
        ("status", '{"status": "qualified", "notes": "a\\ud800"}'),
        ("activities", '{"activity_type": "note_added", "description": "a\\udfff"}'),
        ("activities", '{"activity_type": "note_added", "x": ' + "[" * 3000 + "]" * 3000 + "}"),
        ("status", '{"status": "qualified", "expected_status": NaN}'),
    ],
    ids=["surrogate-notes", "surrogate-description", "deep", "nan"],
)
def test_json_that_cannot_be_stored_is_400(client, factory, desk, path, body):
    lead = factory.lead(desk["workspace"], status="new")
    method = client.patch if path == "status" else client.post
    response = method(
        f"/api/v1/leads/{lead.id}/{path}",
        data=body,
        content_type="application/json",
        headers=desk["headers"],
    )
    assert response.status_code == 400
    assert response.json["message"].startswith("The body is not JSON that can be stored")
    detail = client.get(f"/api/v1/leads/{lead.id}", headers=desk["headers"]).json
    assert detail["status"] == "new"
    assert len(detail["activities"]) == len(
        [a for a in detail["activities"] if a["activity_type"] == "created"]
    )
