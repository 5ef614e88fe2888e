"""The outbox relay job: publish events to webhooks, send what is due, come back later."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from webapp.extensions import db
from webapp.models.base import utcnow
from webapp.redis_conn import get_redis
from webapp.services.webhooks.delivery import deliver_due, next_due_at, relay_outbox

log = logging.getLogger(__name__)
RELAY_JOB = "webapp.jobs.events.relay_events"


def relay_events(max_rounds: int = 20) -> dict:
    """Drain the outbox and send due deliveries; schedule itself for the next retry."""
    allow_private = current_app.config["WEBHOOKS_ALLOW_PRIVATE"]
    published = sent = 0
    for _ in range(max_rounds):
        batch = relay_outbox(db.session)
        tried = deliver_due(db.session, allow_private)
        published, sent = published + batch, sent + tried
        if not batch and not tried:
            break
    _schedule_next_retry()
    return {"published": published, "sent": sent}


def _schedule_next_retry() -> None:
    redis = get_redis()
    due = next_due_at(db.session)
    if redis is None or due is None:
        return  # inline mode: the next commit or the periodic relay picks retries up
    from rq import Queue

    delay = max(due - utcnow(), timedelta(seconds=1))
    if delay < timedelta(minutes=1):  # the periodic relay covers anything later
        Queue("default", connection=redis).enqueue_in(delay, RELAY_JOB)
