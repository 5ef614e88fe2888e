"""Kicking the relay when a transaction that wrote outbox events commits.

With Redis the relay job is enqueued at most once every couple of seconds, and
again when that window closes for what committed during it; if Redis is down the
events simply wait in the outbox for the periodic relay. On the embedded default
the relay runs on the web process's background thread once the request is answered
(inline at its end under tests).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.models import Event

log = logging.getLogger(__name__)
KICK_KEY = "leadkeeper:outbox-relay-kick"
KICK_EVERY_SECONDS = 2
_last_kick = 0.0  # this process's last kick: skips the Redis round trip in between


def note_events_written(session: Session) -> None:
    """Kick the relay when this transaction commits (also for events written as plain SQL)."""
    session.info["outbox_events"] = True


def _note_events(session: Session, flush_context, instances) -> None:
    if any(isinstance(obj, Event) for obj in session.new):
        note_events_written(session)


def _after_commit(session: Session) -> None:
    global _last_kick
    if not session.info.pop("outbox_events", False) or not has_app_context():
        return
    from webapp.redis_conn import get_redis

    redis = get_redis()
    if redis is None:
        if has_request_context():
            g.outbox_relay_due = True
        return
    if time.monotonic() - _last_kick < KICK_EVERY_SECONDS:
        return  # inside this process's window: its trailing relay picks these events up
    try:
        _last_kick = time.monotonic()
        if redis.set(KICK_KEY, "1", nx=True, ex=KICK_EVERY_SECONDS):
            from webapp.jobs import enqueue
            from webapp.jobs.events import RELAY

            enqueue(RELAY)
            # A second run when the window closes sends what committed during it.
            enqueue(RELAY, delay=timedelta(seconds=KICK_EVERY_SECONDS))
    except Exception as exc:  # Redis down: the events stay in the outbox, nothing is lost
        log.warning("outbox: relay not queued (%s); the periodic relay will send it", exc)


def forget_last_kick() -> None:
    """Kick on the next commit (tests flush Redis, which forgets the shared key)."""
    global _last_kick
    _last_kick = 0.0


def _after_rollback(session: Session) -> None:
    session.info.pop("outbox_events", None)


def _relay_inline(response):
    if g.pop("outbox_relay_due", False):
        from webapp.jobs import enqueue
        from webapp.jobs.background import background_jobs
        from webapp.jobs.events import RELAY

        if background := background_jobs(current_app):
            background.relay_soon()  # after the answer: webhooks can be slow
            return response

        try:
            enqueue(RELAY)
        except Exception:
            current_app.logger.exception("outbox: inline relay failed; events stay queued")
    return response


def register_outbox_relay(app: Flask) -> None:
    if not event.contains(Session, "before_flush", _note_events):
        event.listen(Session, "before_flush", _note_events)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, t: _after_rollback(s))
    app.after_request(_relay_inline)
    from webapp.jobs.background import register_background_jobs

    register_background_jobs(app)
