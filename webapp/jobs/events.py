"""The outbox relay job: publish events to webhooks, send what is due, come back later.

Two kinds share the work. `events.relay` is kicked on (nearly) every commit that
writes an event and by its own retry timer: far too often to be worth a run row
each, so it records none. `events.relay_periodic` is the safety net the scheduler
runs every minute; it records a run, but drops the row again when it found nothing
to do, so the Jobs page lists only the minutes in which the net caught something.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.models.base import utcnow
from webapp.models.webhooks import WebhookDelivery
from webapp.redis_conn import get_redis
from webapp.services.webhooks.delivery import (
    attempt_delivery,
    claim_delivery,
    due_delivery_ids,
    next_due_at,
    relay_outbox,
)

log = logging.getLogger(__name__)
RELAY = "events.relay"
RELAY_PERIODIC = "events.relay_periodic"


def _relay(max_rounds: int) -> dict:
    allow_private = current_app.config["WEBHOOKS_ALLOW_PRIVATE"]
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    published = sent = 0
    for _ in range(max_rounds):
        batch = relay_outbox(db.session)
        db.session.commit()
        tried = send_due_deliveries(allow_private, timeout)
        published, sent = published + batch, sent + tried
        if not batch and not tried:
            break
    _schedule_next_retry()
    return {"published": published, "sent": sent}


def send_due_deliveries(allow_private: bool, timeout: float) -> int:
    """Send every due delivery, oldest event first; returns how many were tried."""
    due = due_delivery_ids(db.session, utcnow())
    db.session.commit()
    return sum(send_delivery(delivery_id, allow_private, timeout) for delivery_id in due)


def send_delivery(delivery_id: uuid.UUID, allow_private: bool, timeout: float) -> bool:
    """Claim one delivery and send it; False if another sender has it.

    The claim commits on its own before the HTTP call, so no other sender takes the
    delivery while this one waits on the endpoint; the outcome commits after it.
    """
    claimed = claim_delivery(db.session, delivery_id, utcnow(), timeout)
    db.session.commit()
    if not claimed:
        return False
    attempt_delivery(
        db.session, db.session.get(WebhookDelivery, delivery_id), allow_private, timeout
    )
    db.session.commit()
    return True


@job(RELAY, label="Event relay", record=False)
def relay_events(run, max_rounds: int = 20) -> dict:
    """Drain the outbox and send due deliveries; schedule itself for the next retry."""
    return _relay(max_rounds)


@job(RELAY_PERIODIC, label="Event relay (every minute)")
def relay_events_periodic(run, max_rounds: int = 20) -> dict:
    done = _relay(max_rounds)
    run.count(**done)
    if not any(done.values()):
        run.discard()
    return done


def _schedule_next_retry() -> None:
    redis = get_redis()
    due = next_due_at(db.session)
    if redis is None or due is None:
        return  # inline mode: the next commit or the periodic relay picks retries up
    from webapp.jobs import enqueue

    delay = max(due - utcnow(), timedelta(seconds=1))
    if delay < timedelta(minutes=1):  # the periodic relay covers anything later
        enqueue(RELAY, delay=delay)
