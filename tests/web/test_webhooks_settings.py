"""Settings → Webhooks: admins register endpoints, see deliveries, redeliver and test."""

import pytest

from webapp.models.webhooks import WebhookDelivery, WebhookEndpoint


@pytest.fixture()
def admin_client(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="admin"))
    client.workspace = workspace
    return client


def test_add_endpoint_and_see_its_secret(admin_client, db, app, monkeypatch, httpserver):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    response = admin_client.post_form(
        "/settings/webhooks",
        {
            "url": httpserver.url_for("/hook"),
            "description": "CRM sync",
            "event_types": ["LeadCreated", "LeadAssigned"],
        },
    )
    assert response.status_code == 302
    endpoint = db.session.execute(db.select(WebhookEndpoint)).scalar_one()
    assert endpoint.event_types == ["LeadCreated", "LeadAssigned"]
    assert endpoint.secret.startswith("whsec_")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret in page and "CRM sync" in page


def test_private_url_refused_with_message_next_to_the_field(admin_client, db):
    response = admin_client.post_form(
        "/settings/webhooks",
        {"url": "http://169.254.169.254/latest", "event_types": ["LeadCreated"]},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="e-url"' in page and "not a public address" in page
    assert db.session.execute(db.select(WebhookEndpoint)).scalar() is None


def test_event_types_required(admin_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    response = admin_client.post_form("/settings/webhooks", {"url": "http://127.0.0.1:1/x"})
    assert response.status_code == 422
    assert "choose one or more" in response.get_data(as_text=True)


def test_send_test_event_and_redeliver(admin_client, db, app, monkeypatch, httpserver):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    # The sends are jobs: inline here (tests/web/test_background_work.py runs them on a worker).
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = WebhookEndpoint(
        workspace_id=admin_client.workspace.id,
        url=httpserver.url_for("/hook"),
        event_types=["LeadCreated"],
    )
    db.session.add(endpoint)
    db.session.commit()
    response = admin_client.post_form(
        f"/settings/webhooks/{endpoint.id}/test", follow_redirects=True
    )
    assert "Test event delivered (HTTP 200)" in response.get_data(as_text=True)
    assert httpserver.log[0][0].get_json()["event_type"] == "WebhookTest"

    delivery = db.session.execute(db.select(WebhookDelivery)).scalar_one()
    response = admin_client.post_form(
        f"/settings/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver",
        follow_redirects=True,
    )
    assert "delivered" in response.get_data(as_text=True)
    assert len(httpserver.log) == 2
    db.session.refresh(delivery)
    assert delivery.attempts == 2
    page = admin_client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "WebhookTest" in page and "ms" in page


def test_edit_disable_and_delete(admin_client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    endpoint = WebhookEndpoint(
        workspace_id=admin_client.workspace.id,
        url="http://127.0.0.1:9/a",
        event_types=["LeadCreated"],
    )
    db.session.add(endpoint)
    db.session.commit()
    admin_client.post_form(
        f"/settings/webhooks/{endpoint.id}",
        {"url": "http://127.0.0.1:9/b", "event_types": ["LeadStatusChanged"]},
    )
    admin_client.post_form(f"/settings/webhooks/{endpoint.id}/active", {"active": "0"})
    db.session.refresh(endpoint)
    assert (endpoint.url, endpoint.event_types, endpoint.active) == (
        "http://127.0.0.1:9/b",
        ["LeadStatusChanged"],
        False,
    )
    admin_client.post_form(f"/settings/webhooks/{endpoint.id}/delete")
    db.session.expire_all()
    assert db.session.execute(db.select(WebhookEndpoint)).scalar() is None


def test_reps_get_403_and_other_workspaces_404(client, factory, db):
    workspace = factory.workspace()
    other = factory.workspace()
    foreign = WebhookEndpoint(
        workspace_id=other.id, url="http://8.8.8.8/", event_types=["LeadCreated"]
    )
    db.session.add(foreign)
    db.session.commit()
    rep = factory.user(workspace, role="rep")
    client.login(rep)
    assert client.get("/settings/webhooks").status_code == 403
    admin_client = type(client)(client.application.test_client())
    admin_client.login(factory.user(workspace, role="admin"))
    assert admin_client.get(f"/settings/webhooks/{foreign.id}").status_code == 404
    assert admin_client.post_form(f"/settings/webhooks/{foreign.id}/delete").status_code == 404
