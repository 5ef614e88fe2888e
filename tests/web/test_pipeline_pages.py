"""Pipeline → Queries and Signals: reps look, admins change; another workspace's is a 404."""

from __future__ import annotations

import pytest

from tests.factories import signed_in
from webapp.models import AuditLog
from webapp.models.discovery import DiscoveryQuery, SignalType


def test_admin_creates_edits_pauses_resumes_and_deletes_a_query(client, db, factory):
    workspace, admin = signed_in(client, factory, "admin")
    response = client.post_form(
        "/pipeline/queries",
        {
            "topic": "AI automation tools",
            "country": "United States",
            "state": "California",
            "size_min": "50",
            "size_max": "500",
            "industries": "Technology, Finance, technology",
            "active": "1",
        },
    )
    assert response.status_code == 302
    query = db.session.execute(db.select(DiscoveryQuery)).scalar_one()
    assert (query.name, query.daily_limit, query.active) == ("AI automation tools", 50, True)
    assert query.industries == ["Technology", "Finance"]
    assert query.created_by_id == admin.id
    page = client.get("/pipeline/queries").get_data(as_text=True)
    assert "AI automation tools" in page and "California, United States" in page

    response = client.post_form(
        f"/pipeline/queries/{query.id}",
        {"topic": "AI automation tools", "name": "AI tools", "daily_limit": "20"},
    )
    assert response.status_code == 302
    db.session.refresh(query)
    assert (query.name, query.daily_limit, query.country) == ("AI tools", 20, None)

    client.post_form(f"/pipeline/queries/{query.id}/pause")
    db.session.refresh(query)
    assert query.active is False
    assert "Paused" in client.get("/pipeline/queries").get_data(as_text=True)
    client.post_form(f"/pipeline/queries/{query.id}/resume")
    db.session.refresh(query)
    assert query.active is True

    assert client.post_form(f"/pipeline/queries/{query.id}/delete").status_code == 302
    assert db.session.execute(db.select(DiscoveryQuery)).scalar() is None
    actions = set(db.session.execute(db.select(AuditLog.action)).scalars())
    assert {
        "discovery_query.created",
        "discovery_query.updated",
        "discovery_query.paused",
        "discovery_query.resumed",
        "discovery_query.deleted",
    } <= actions


def test_bad_query_fields_are_named(client, db, factory):
    signed_in(client, factory, "admin")
    response = client.post_form(
        "/pipeline/queries",
        {"topic": " ", "size_min": "500", "size_max": "50", "daily_limit": "0"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is required" in page
    assert "must be at least the smallest size" in page
    assert "must be between 1 and 1,000" in page
    assert db.session.execute(db.select(DiscoveryQuery)).scalar() is None


def test_reps_see_queries_but_change_nothing(client, db, factory):
    workspace, _ = signed_in(client, factory, "rep")
    query = factory.discovery_query(workspace, topic="Payroll software")
    page = client.get("/pipeline/queries")
    assert page.status_code == 200 and "Payroll software" in page.get_data(as_text=True)
    assert "Run now" not in page.get_data(as_text=True)
    assert client.get(f"/pipeline/queries/{query.id}").status_code == 200
    assert client.get("/pipeline/queries/new").status_code == 403
    assert client.get(f"/pipeline/queries/{query.id}/edit").status_code == 403
    for action in ("", "/pause", "/delete", "/run"):
        response = client.post_form(f"/pipeline/queries/{query.id}{action}", {"topic": "x"})
        assert response.status_code == 403, action
    assert client.post_form("/pipeline/queries", {"topic": "x"}).status_code == 403
    db.session.refresh(query)
    assert (query.topic, query.active) == ("Payroll software", True)


def test_another_workspaces_query_is_not_found(client, db, factory):
    signed_in(client, factory, "admin")
    other = factory.discovery_query(factory.workspace())
    assert client.get(f"/pipeline/queries/{other.id}").status_code == 404
    assert client.get(f"/pipeline/queries/{other.id}/edit").status_code == 404
    assert client.get("/pipeline/queries/not-an-id").status_code == 404
    for action in ("", "/pause", "/delete", "/run"):
        response = client.post_form(f"/pipeline/queries/{other.id}{action}", {"topic": "x"})
        assert response.status_code == 404, action
    assert db.session.get(DiscoveryQuery, other.id) is not None


def test_forms_without_the_csrf_token_are_refused(client, db, factory):
    workspace, _ = signed_in(client, factory, "admin")
    query = factory.discovery_query(workspace)
    assert client.raw.post("/pipeline/queries", data={"topic": "x"}).status_code == 400
    assert client.raw.post(f"/pipeline/queries/{query.id}/delete").status_code == 400
    assert client.raw.post("/pipeline/signals", data={"signal_type": "x"}).status_code == 400
    assert db.session.get(DiscoveryQuery, query.id) is not None


def test_every_workspace_starts_with_the_seed_signal_table(client, db, factory):
    signed_in(client, factory, "rep")
    page = client.get("/pipeline/signals")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for name in ("Company researching topic", "Visited competitor website", "Attended webinar",
                 "Downloaded whitepaper", "Social media engagement",
                 "Job posting related to topic"):  # fmt: skip
        assert name in text
    assert 'name="strength"' not in text  # reps read, admins edit
    assert client.post_form("/pipeline/signals", {"signal_type": "x"}).status_code == 403


def test_admins_edit_add_and_delete_signal_types(client, db, factory):
    workspace, _ = signed_in(client, factory, "admin")
    client.get("/pipeline/signals")
    webinar = db.session.execute(
        db.select(SignalType).where(
            SignalType.workspace_id == workspace.id, SignalType.signal_key == "attended webinar"
        )
    ).scalar_one()
    response = client.post_form(
        f"/pipeline/signals/{webinar.id}",
        {"signal_type": "Attended webinar", "strength": "high", "description": "Live"},
    )
    assert response.status_code == 302
    db.session.refresh(webinar)
    assert (webinar.strength, webinar.description) == ("high", "Live")
    response = client.post_form(
        "/pipeline/signals", {"signal_type": "Requested a demo", "strength": "high"}
    )
    assert response.status_code == 302
    again = client.post_form(
        "/pipeline/signals", {"signal_type": "requested  a DEMO", "strength": "bogus"}
    )
    assert again.status_code == 422
    assert "is in the table already" in again.get_data(as_text=True)
    assert "must be one of high, medium, low" in again.get_data(as_text=True)
    demo = db.session.execute(
        db.select(SignalType).where(SignalType.signal_key == "requested a demo")
    ).scalar_one()
    assert client.post_form(f"/pipeline/signals/{demo.id}/delete").status_code == 302
    other = factory.signal_type(factory.workspace())
    assert client.post_form(f"/pipeline/signals/{other.id}/delete").status_code == 404
    assert db.session.get(SignalType, other.id) is not None


@pytest.mark.parametrize("path", ["/pipeline/queries", "/pipeline/signals", "/pipeline/discover"])
def test_pipeline_pages_need_signing_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
