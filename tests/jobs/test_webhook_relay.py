"""The outbox relay delivers signed events over real HTTP to a local receiver."""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug import Response

from webapp.jobs.events import relay_events, send_due_deliveries
from webapp.jobs.runner import RunHandle
from webapp.models import Event
from webapp.models.base import utcnow
from webapp.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webapp.services.events.relay_kick import KICK_EVERY_SECONDS
from webapp.services.leads.changes import change_status
from webapp.services.leads.timeline import create_lead
from webapp.services.webhooks.delivery import relay_outbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def allow_private(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)


@pytest.fixture()
def endpoint(db, factory, httpserver, allow_private):
    workspace = factory.workspace()
    endpoint = WebhookEndpoint(
        workspace_id=workspace.id,
        url=httpserver.url_for("/hook"),
        event_types=["LeadCreated", "LeadStatusChanged"],
    )
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def expected_signature(secret, message_id, timestamp, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def new_lead(db, workspace_id, email="ada@example.com"):
    result = create_lead(
        db.session, workspace_id, {"first_name": "Ada", "email": email, "source": "website"}
    )
    db.session.commit()
    return result.lead


def deliveries(db):
    db.session.expire_all()
    return (
        db.session.execute(db.select(WebhookDelivery).order_by(WebhookDelivery.event_id))
        .scalars()
        .all()
    )


def test_signed_event_reaches_the_receiver(db, endpoint, httpserver):
    received = []

    def handler(request):
        received.append((dict(request.headers), request.get_data()))
        return Response("ok", 200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    lead = new_lead(db, endpoint.workspace_id)
    relay_events(RunHandle(None))

    assert len(received) == 1
    headers, body = received[0]
    event = db.session.execute(db.select(Event)).scalar_one()
    assert headers["Webhook-Id"] == str(event.id)
    assert headers["Webhook-Signature"] == expected_signature(
        endpoint.secret, headers["Webhook-Id"], headers["Webhook-Timestamp"], body
    )
    payload = json.loads(body)
    assert payload["event_type"] == "LeadCreated"
    assert payload["lead_id"] == str(lead.id)
    assert payload["email"] == "ada@example.com" and payload["source"] == "website"
    assert payload["timestamp"].endswith("Z")
    (delivery,) = deliveries(db)
    assert delivery.status == "succeeded" and delivery.attempts == 1
    attempt = db.session.execute(db.select(WebhookAttempt)).scalar_one()
    assert attempt.status_code == 200 and attempt.duration_ms >= 0


def test_a_success_is_never_sent_twice(db, endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    new_lead(db, endpoint.workspace_id)
    relay_events(RunHandle(None))
    relay_events(RunHandle(None))
    relay_outbox(db.session)
    db.session.commit()
    send_due_deliveries(allow_private=True, timeout=10)
    assert len(httpserver.log) == 1


def test_retries_on_500_then_succeeds(db, endpoint, httpserver):
    httpserver.expect_ordered_request("/hook").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok", status=204)
    new_lead(db, endpoint.workspace_id)
    relay_events(RunHandle(None))
    (delivery,) = deliveries(db)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code == 500
    wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)
    relay_events(RunHandle(None))  # not due yet: nothing sent
    assert len(httpserver.log) == 1

    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    relay_events(RunHandle(None))
    (delivery,) = deliveries(db)
    assert delivery.status == "succeeded" and delivery.attempts == 2
    codes = [a.status_code for a in delivery.attempt_log]
    assert codes == [500, 204]


def test_backoff_grows_and_gives_up_after_eight_attempts(db, endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    new_lead(db, endpoint.workspace_id)
    relay_events(RunHandle(None))  # attempt 1
    waits = []
    for _ in range(7):
        (delivery,) = deliveries(db)
        waits.append(delivery.next_attempt_at - delivery.attempt_log[-1].attempted_at)
        delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        relay_events(RunHandle(None))
    (delivery,) = deliveries(db)
    assert delivery.status == "failed" and delivery.attempts == 8
    assert delivery.next_attempt_at is None
    assert len(httpserver.log) == 8
    assert waits == sorted(waits) and waits[1] > waits[0]  # exponential backoff


def test_410_disables_the_endpoint(db, endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    new_lead(db, endpoint.workspace_id)
    relay_events(RunHandle(None))
    db.session.refresh(endpoint)
    assert endpoint.active is False and "410" in endpoint.disabled_reason
    (delivery,) = deliveries(db)
    assert delivery.status == "failed"
    new_lead(db, endpoint.workspace_id, "second@example.com")
    relay_events(RunHandle(None))
    assert len(httpserver.log) == 1


def test_redirects_are_not_followed(db, endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": "/elsewhere"}
    )
    httpserver.expect_request("/elsewhere").respond_with_data("ok")
    new_lead(db, endpoint.workspace_id)
    relay_events(RunHandle(None))
    (delivery,) = deliveries(db)
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert [entry[0].path for entry in httpserver.log] == ["/hook"]


def test_private_url_refused_at_delivery_time(db, endpoint, httpserver, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)
    new_lead(db, endpoint.workspace_id)
    relay_events(RunHandle(None))
    (delivery,) = deliveries(db)
    assert delivery.status == "failed" and "not a public address" in delivery.last_error
    assert httpserver.log == []


def test_only_subscribed_events_and_own_workspace(db, endpoint, httpserver, factory):
    httpserver.expect_request("/hook").respond_with_data("ok")
    other = factory.workspace()
    new_lead(db, other.id, "elsewhere@example.com")  # another workspace's event
    lead = new_lead(db, endpoint.workspace_id)
    endpoint.event_types = ["LeadStatusChanged"]
    db.session.commit()
    change_status(db.session, lead, "contacted", None)
    db.session.commit()
    relay_events(RunHandle(None))
    bodies = [json.loads(entry[0].get_data()) for entry in httpserver.log]
    assert [b["event_type"] for b in bodies] == ["LeadStatusChanged"]
    assert bodies[0]["old_status"] == "new" and bodies[0]["new_status"] == "contacted"


def test_outbox_catch_up_after_a_redis_outage(make_app, monkeypatch, db, endpoint, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    broken = make_app()
    with broken.app_context():
        from webapp.extensions import db as broken_db

        create_lead(
            broken_db.session,
            endpoint.workspace_id,
            {"email": "outage@example.com", "source": "website"},
        )
        broken_db.session.commit()  # the relay kick fails; the commit must not
        broken_db.session.remove()
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.published_at is None and httpserver.log == []

    relay_events(RunHandle(None))  # Redis is back (or the periodic relay runs)
    assert len(httpserver.log) == 1
    assert json.loads(httpserver.log[0][0].get_data())["email"] == "outage@example.com"


def run_worker_burst() -> None:
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "PYTHONPATH": str(ROOT),
        "WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=45,  # a worker that hangs at exit (RQ + redis-py 8.2 waited 60 s) fails
    )
    assert done.returncode == 0, done.stderr


def test_a_real_worker_delivers_the_enqueued_relay(db, endpoint, httpserver, redis_url):
    httpserver.expect_request("/hook").respond_with_data("ok")
    new_lead(db, endpoint.workspace_id)  # the commit enqueues the relay job
    assert httpserver.log == []
    run_worker_burst()
    assert len(httpserver.log) == 1
    (delivery,) = deliveries(db)
    assert delivery.status == "succeeded"


def test_events_between_kicks_go_out_with_the_trailing_relay(
    db, endpoint, httpserver, redis_url, monkeypatch
):
    # A window wide enough for the first worker to come and go inside it, on a busy CI
    # machine too (it builds the app: a few seconds; with 2 s it could see the trailing relay).
    window = max(KICK_EVERY_SECONDS, 6)
    monkeypatch.setattr("webapp.services.events.relay_kick.KICK_EVERY_SECONDS", window)
    httpserver.expect_request("/hook").respond_with_data("ok")
    kicked = time.monotonic()
    new_lead(db, endpoint.workspace_id, "first@example.com")  # kicks: now and at the end
    run_worker_burst()
    assert time.monotonic() - kicked < window, "the first worker outlived the window"
    new_lead(db, endpoint.workspace_id, "second@example.com")  # inside the window: no kick
    time.sleep(max(0.0, kicked + window + 0.5 - time.monotonic()))
    run_worker_burst()  # the trailing relay is due now
    sent = sorted(json.loads(request.get_data())["email"] for request, _ in httpserver.log)
    assert sent == ["first@example.com", "second@example.com"]
