"""Redis stopped, frozen or flushed: captures still answer 201 at once, and the outbox
relay later sends every event exactly once (receivers count `webhook-id`).

Each test runs a redis-server of its own (the machine's is shared) and the app in
process against the real PostgreSQL. Queued jobs are run in process, the way a worker
would run them, so the test needs no worker process.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from werkzeug import Response

from webapp.jobs.schedule import build_scheduler
from webapp.models import Event, Lead
from webapp.models.base import utcnow
from webapp.models.forms import CaptureForm
from webapp.models.webhooks import WebhookDelivery, WebhookEndpoint
from webapp.services.events.relay_kick import KICK_KEY, forget_last_kick

# A visitor's wait for a form while Redis is out. Stopped, it refuses at once (~20 ms).
# Frozen, each wait is REDIS_REQUEST_TIMEOUT (0.5 s): the first capture pays it three
# times (the limiter's hit, its health check on falling back to memory, the relay kick),
# later ones at most twice. Before the bound: 5-7 s a capture.
FAST_CAPTURE_SECONDS = 2.0


@pytest.fixture()
def redis_app(make_app, monkeypatch, private_redis):
    monkeypatch.setenv("REDIS_URL", private_redis.url)
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    forget_last_kick()
    yield make_app()
    forget_last_kick()


@pytest.fixture()
def form(db, factory, httpserver):
    workspace = factory.workspace()
    db.session.add(
        WebhookEndpoint(
            workspace_id=workspace.id,
            url=httpserver.url_for("/hook"),
            event_types=["LeadCreated"],
        )
    )
    form = CaptureForm(workspace_id=workspace.id, name="Contact us", rate_limit_per_hour=10_000)
    db.session.add(form)
    db.session.commit()
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return form


def capture(client, form, email: str) -> float:
    """Post a capture; it must be a 201. Returns how long the answer took."""
    started = time.monotonic()
    response = client.post(
        "/api/v1/leads",
        json={"name": "Outage Visitor", "email": email},
        headers={"X-Form-Key": form.public_key},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.get_data(as_text=True)
    return elapsed


def run_queued_jobs(app, redis: Redis) -> int:
    """Run what the default queue holds, as a worker would (in process, no fork)."""
    queue = Queue("default", connection=redis)
    ran = 0
    while job := queue.dequeue_any([queue], None, connection=redis):
        with app.app_context():
            job[0].perform()
        ran += 1
    return ran


def periodic_relay(app, redis: Redis) -> int:
    """One tick of the scheduler (the relay has never run on this Redis: it is due), then
    the worker's part."""
    with app.app_context():
        enqueued = build_scheduler(app, redis).enqueue_jobs()
    assert "events.relay_periodic" in [job.args[0] for job in enqueued]
    return run_queued_jobs(app, redis)


def webhook_ids(httpserver) -> Counter:
    return Counter(request.headers["webhook-id"] for request, _ in httpserver.log)


def sent_emails(httpserver) -> list[str]:
    return sorted(json.loads(request.get_data())["email"] for request, _ in httpserver.log)


def stored(db, model) -> int:
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_captures_while_redis_is_stopped_are_stored_and_sent_when_it_is_back(
    db, redis_app, private_redis, form, httpserver
):
    client = redis_app.test_client()
    capture(client, form, "before@example.com")  # kicks the relay on the Redis about to die
    private_redis.stop()
    timings = [capture(client, form, f"during{n}@example.com") for n in range(5)]
    print(f"captures with Redis stopped: {[round(t, 3) for t in timings]} s")
    assert max(timings) < FAST_CAPTURE_SECONDS, timings
    assert stored(db, Lead) == 6
    assert httpserver.log == []

    private_redis.start()  # without persistence: the queued kick died with it
    redis = Redis.from_url(private_redis.url)
    kick_window_closes(redis)
    capture(client, form, "after@example.com")  # its kick reconnects and is queued
    assert Queue("default", connection=redis).count == 1
    periodic_relay(redis_app, redis)
    ids = webhook_ids(httpserver)
    assert len(ids) == 7 and set(ids.values()) == {1}, ids
    assert sent_emails(httpserver) == sorted(
        ["before@example.com", "after@example.com"] + [f"during{n}@example.com" for n in range(5)]
    )
    assert db.session.execute(db.select(Event).where(Event.published_at.is_(None))).all() == []


def test_a_frozen_redis_does_not_hold_captures(db, redis_app, private_redis, form, httpserver):
    """SIGSTOP: the kernel still accepts connections, nothing answers. Only the socket
    timeouts end the wait, so they must be short on the capture path."""
    client = redis_app.test_client()
    capture(client, form, "warm@example.com")  # connections to the Redis about to freeze
    forget_last_kick()
    private_redis.freeze()
    timings = []
    for n in range(4):
        forget_last_kick()  # each capture tries to kick (the worst case)
        timings.append(capture(client, form, f"frozen{n}@example.com"))
    print(f"captures with Redis frozen: {[round(t, 3) for t in timings]} s")
    started = time.monotonic()
    health = client.get("/health")
    took = time.monotonic() - started
    private_redis.thaw()
    assert max(timings) < FAST_CAPTURE_SECONDS, timings
    assert health.status_code == 503 and health.get_json()["failing"] == ["redis"]
    assert took < FAST_CAPTURE_SECONDS, took
    assert stored(db, Lead) == 5

    run_queued_jobs(redis_app, Redis.from_url(private_redis.url))  # the first kick's relay
    periodic_relay(redis_app, Redis.from_url(private_redis.url))
    ids = webhook_ids(httpserver)
    assert len(ids) == 5 and set(ids.values()) == {1}, ids


def test_a_flushed_redis_loses_no_event_and_sends_none_twice(
    db, redis_app, private_redis, form, httpserver
):
    """Queued relays and a scheduled retry vanish with FLUSHALL; the periodic relay rebuilds
    the work from the outbox and the deliveries table."""
    httpserver.clear_all_handlers()
    answers = Counter()  # webhook-id -> successful receipts

    def receiver(request):
        email = json.loads(request.get_data())["email"]
        if email == "flaky@example.com" and "flaky" not in answers:
            answers["flaky"] += 1
            return Response("try later", 500)
        answers[request.headers["webhook-id"]] += 1
        return Response("ok", 200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    redis = Redis.from_url(private_redis.url)
    client = redis_app.test_client()
    capture(client, form, "sent@example.com")
    run_queued_jobs(redis_app, redis)  # delivered before the flush
    kick_window_closes(redis)
    capture(client, form, "flaky@example.com")
    run_queued_jobs(redis_app, redis)  # answered 500: its retry is scheduled in Redis
    assert ScheduledJobRegistry("default", connection=redis).count >= 1
    for n in range(3):
        kick_window_closes(redis)
        capture(client, form, f"queued{n}@example.com")  # relays queued, never run
    assert Queue("default", connection=redis).count == 3

    redis.flushall()
    make_retries_due(db)
    periodic_relay(redis_app, redis)
    assert answers.pop("flaky") == 1
    events = db.session.execute(db.select(Event.id)).scalars().all()
    assert sorted(answers) == sorted(str(event_id) for event_id in events)
    assert set(answers.values()) == {1}, answers  # each event received once
    assert len(events) == 5


def kick_window_closes(redis: Redis) -> None:
    """The next commit kicks the relay again (the window is 2 s, kept in Redis)."""
    forget_last_kick()
    redis.delete(KICK_KEY)


def make_retries_due(db) -> None:
    """Time passes: the 500's back-off ends."""
    db.session.execute(
        db.update(WebhookDelivery)
        .where(WebhookDelivery.status == "pending")
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
