"""The outbox relay job: publish events to webhooks, send what is due, come back later."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app

from webapp.extensions import db
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
RELAY_JOB = "webapp.jobs.events.relay_events"


def relay_events(max_rounds: int = 20) -> dict:
    """Drain the outbox and send due deliveries; schedule itself for the next retry."""
    allow_private = current_app.config["WEBHOOKS_ALLOW_PRIVATE"]
    published = sent = 0
    for _ in range(max_rounds):
        batch = relay_outbox(db.session)
        db.session.commit()
        tried = send_due_deliveries(allow_private)
        published, sent = published + batch, sent + tried
        if not batch and not tried:
            break
    _schedule_next_retry()
    return {"published": published, "sent": sent}


def send_due_deliveries(allow_private: bool) -> int:
    """Send every due delivery, oldest event first; returns how many were tried."""
    due = due_delivery_ids(db.session, utcnow())
    db.session.commit()
    return sum(send_delivery(delivery_id, allow_private) for delivery_id in due)


def send_delivery(delivery_id: uuid.UUID, allow_private: bool) -> bool:
    """Claim one delivery and send it; False if another sender has it.

    The claim commits on its own before the HTTP call, so no other sender takes the
    delivery while this one waits on the endpoint; the outcome commits after it.
    """
    claimed = claim_delivery(db.session, delivery_id, utcnow())
    db.session.commit()
    if not claimed:
        return False
    attempt_delivery(db.session, db.session.get(WebhookDelivery, delivery_id), allow_private)
    db.session.commit()
    return True


def deliver_webhook(delivery_id: str) -> bool:
    """Send one delivery now (an admin's test event or redelivery)."""
    return send_delivery(uuid.UUID(delivery_id), current_app.config["WEBHOOKS_ALLOW_PRIVATE"])


def _schedule_next_retry() -> None:
    redis = get_redis()
    due = next_due_at(db.session)
    if redis is None or due is None:
        return  # inline mode: the next commit or the periodic relay picks retries up
    from rq import Queue

    delay = max(due - utcnow(), timedelta(seconds=1))
    if delay < timedelta(minutes=1):  # the periodic relay covers anything later
        Queue("default", connection=redis).enqueue_in(delay, RELAY_JOB)
