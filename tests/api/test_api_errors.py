"""Every error answer under /api/ has the one shape: error, message, status, errors."""

from __future__ import annotations

import pytest

from webapp.models.forms import CaptureForm
from webapp.services.accounts.api_tokens import create_token
from webapp.services.errors import Conflict, NotFound


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace(slug="errors")
    admin = factory.user(workspace, role="admin")
    secret = create_token(db.session, workspace.id, "errors", admin.id).secret
    form = CaptureForm(
        workspace_id=workspace.id, name="Site", allowed_origins=["https://ok.example"]
    )
    db.session.add(form)
    db.session.commit()
    lead = factory.lead(workspace)
    return {
        "headers": {"Authorization": f"Bearer {secret}"},
        "lead": lead,
        "form_key": form.public_key,
    }


def assert_error_shape(response, code: int) -> dict:
    assert response.status_code == code
    assert response.is_json, response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert {"error", "message", "status", "errors"} <= set(body)
    assert body["status"] == code and body["error"] and body["message"]
    assert isinstance(body["errors"], dict)
    assert all(isinstance(reasons, list) and reasons for reasons in body["errors"].values())
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_each_kind_of_error_has_the_one_shape(client, desk):
    lead_url = f"/api/v1/leads/{desk['lead'].id}"
    auth = desk["headers"]
    capture = {"X-Form-Key": desk["form_key"]}
    person = {"name": "Jo Doe", "email": "jo@example.com"}
    answers = {
        400: client.patch(f"{lead_url}/status", data="[1]", headers=auth,
                          content_type="application/json"),
        401: client.get("/api/v1/leads"),
        403: client.post("/api/v1/leads", json=person,
                         headers={**capture, "Origin": "https://evil.example"}),
        404: client.get("/api/v1/leads/00000000-0000-0000-0000-000000000000", headers=auth),
        405: client.delete(lead_url, headers=auth),
        413: client.post("/api/v1/leads", json={**person, "message": "x" * 70_000},
                         headers=capture),
    }  # fmt: skip
    for code, response in answers.items():
        assert_error_shape(response, code)
    unknown_path = assert_error_shape(client.get("/api/v1/nothing", headers=auth), 404)
    assert unknown_path["errors"] == {}
    refused = assert_error_shape(
        client.patch(f"{lead_url}/status", json={"status": "won", "notes": 5}, headers=auth), 422
    )
    assert set(refused["errors"]) == {"status", "notes"}
    assert refused["errors"]["notes"] == ["must be text"]
    assert "status" in refused["message"] and "notes" in refused["message"]
    capture_refused = assert_error_shape(
        client.post("/api/v1/leads", json={"email": "jo@example.com"}, headers=capture), 422
    )
    assert capture_refused["errors"] == {"name": ["is required"]}


def test_a_stale_status_is_a_409_error_with_the_current_status(client, desk):
    response = client.patch(
        f"/api/v1/leads/{desk['lead'].id}/status",
        json={"status": "qualified", "expected_status": "proposal"},
        headers=desk["headers"],
    )
    body = assert_error_shape(response, 409)
    assert body["current_status"] == "new" and body["errors"] == {}


def test_over_the_rate_limit_is_a_429_error(make_app, desk):
    strict = make_app({"API_RATE_LIMIT": "2 per minute"}).test_client()
    for _ in range(2):
        assert strict.get("/api/v1/leads", headers=desk["headers"]).status_code == 200
    response = strict.get("/api/v1/leads", headers=desk["headers"])
    assert_error_shape(response, 429)
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("raised", "code"),
    [(NotFound("No such member."), 404), (Conflict("Someone else got there first."), 409)],
)
def test_a_services_not_found_or_conflict_maps_to_404_or_409(
    client, desk, monkeypatch, raised, code
):
    def refuse(*_args, **_kwargs):
        raise raised

    monkeypatch.setattr("webapp.api.leads.assign_lead", refuse)
    response = client.post(
        f"/api/v1/leads/{desk['lead'].id}/assign",
        json={"assigned_to": None},
        headers=desk["headers"],
    )
    body = assert_error_shape(response, code)
    assert body["message"] == str(raised)


def test_an_unexpected_failure_is_a_500_error_without_details(client, desk, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("webapp.api.leads.list_leads", explode)
    response = client.get("/api/v1/leads", headers=desk["headers"])
    assert_error_shape(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
