"""The embedded default's background thread: webhooks after the answer, periodic relay."""

import time

import pytest
from werkzeug import Response

from webapp.jobs.background import BackgroundJobs, background_jobs
from webapp.jobs.events import RELAY_PERIODIC
from webapp.jobs.schedule import Periodic
from webapp.models import Event
from webapp.models.forms import CaptureForm
from webapp.models.webhooks import WebhookEndpoint
from webapp.services.leads.timeline import create_lead


@pytest.fixture()
def embedded(app, db):
    if app.config.get("REDIS_URL"):
        pytest.skip("with Redis, RQ's worker and scheduler do this work")


@pytest.fixture()
def hook(db, factory, httpserver):
    workspace = factory.workspace()
    db.session.add(
        WebhookEndpoint(
            workspace_id=workspace.id,
            url=httpserver.url_for("/hook"),
            event_types=["LeadCreated"],
        )
    )
    form = CaptureForm(workspace_id=workspace.id, name="Site")
    db.session.add(form)
    db.session.commit()
    return form


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_slow_webhook_does_not_hold_up_a_capture(make_app, embedded, hook, httpserver):
    def slow(request):
        time.sleep(2)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(slow)
    served = make_app({"TESTING": False, "WEBHOOKS_ALLOW_PRIVATE": True})
    background = background_jobs(served)
    assert background is not None
    try:
        started = time.monotonic()
        response = served.test_client().post(
            "/api/v1/leads",
            json={"name": "Ada Lovelace", "email": "ada@example.com"},
            headers={"X-Form-Key": hook.public_key},
        )
        answered = time.monotonic() - started
        assert response.status_code == 201
        assert answered < 1.5, answered  # the 2-second webhook was not waited for
        assert wait_for(lambda: len(httpserver.log) == 1)
    finally:
        background.stop()


def test_periodic_relay_sends_what_no_request_kicked(
    app, embedded, db, hook, httpserver, monkeypatch
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    create_lead(db.session, hook.workspace_id, {"email": "quiet@example.com"})
    db.session.commit()  # no request, so nothing kicks the relay
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    background = BackgroundJobs(app, (Periodic(RELAY_PERIODIC, interval=1),))
    try:
        background.start()
        assert wait_for(lambda: len(httpserver.log) == 1)
    finally:
        background.stop()
    db.session.expire_all()
    assert db.session.execute(db.select(Event)).scalar_one().published_at is not None


def test_a_long_write_elsewhere_makes_the_relay_wait_quietly(
    app, embedded, db, hook, httpserver, monkeypatch, caplog
):
    """An inline import holds SQLite's write lock for a whole batch; the background
    relay and schedules tick wait for it (or try again) instead of logging errors."""
    import logging
    import sqlite3
    import threading

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one writer at a time")
    httpserver.expect_request("/hook").respond_with_data("ok")
    create_lead(db.session, hook.workspace_id, {"email": "held@example.com"})
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    writer = sqlite3.connect(
        db.engine.url.database, timeout=0, isolation_level=None, check_same_thread=False
    )
    writer.execute("BEGIN EXCLUSIVE")  # as an import's batch does once its cache spills
    release = threading.Timer(6.5, writer.rollback)  # longer than SQLite's 5-second wait
    background = BackgroundJobs(
        app, (Periodic(RELAY_PERIODIC, interval=1), Periodic("schedules.tick", interval=1))
    )
    try:
        with caplog.at_level(logging.INFO):
            release.start()
            background.start()
            assert wait_for(lambda: len(httpserver.log) == 1, seconds=20)
    finally:
        background.stop()
        release.cancel()
        writer.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    db.session.expire_all()
    assert db.session.execute(db.select(Event)).scalar_one().published_at is not None
