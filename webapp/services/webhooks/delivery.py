"""Webhook endpoints and the outbox relay: fan events out, sign them, deliver, retry.

Nothing here commits. A sender claims a delivery (claim_delivery), and the job
commits that claim before the HTTP call, so no other sender takes it while this
one waits on the endpoint; it commits the attempt's outcome after
(webapp/jobs/events.py: send_delivery).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from webapp.models import Event
from webapp.models.base import utcnow
from webapp.models.webhooks import (
    MAX_ATTEMPTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webapp.providers.webhooks import DEFAULT_TIMEOUT_SECONDS, longest_attempt, send_webhook
from webapp.services.events.outbox import iso
from webapp.services.scoping import get_owned
from webapp.services.webhooks.urls import check_webhook_url

TEST_EVENT_TYPE = "WebhookTest"
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
CLAIM_MARGIN = timedelta(seconds=5)


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks signature: v1,base64(HMAC-SHA256(id.timestamp.body))."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def relay_outbox(session: Session, batch: int = 500) -> int:
    """Fan unpublished events out to subscribed endpoints, in id order; returns the count.

    A delivery row per (endpoint, event) is unique, so running twice adds nothing.
    """
    query = select(Event).where(Event.published_at.is_(None)).order_by(Event.id).limit(batch)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    events = session.execute(query).scalars().all()
    endpoints: dict = {}
    for event in events:
        if event.workspace_id not in endpoints:
            endpoints[event.workspace_id] = (
                session.execute(
                    select(WebhookEndpoint).where(
                        WebhookEndpoint.workspace_id == event.workspace_id,
                        WebhookEndpoint.active.is_(True),
                    )
                )
                .scalars()
                .all()
            )
        for endpoint in endpoints[event.workspace_id]:
            if event.event_type in (endpoint.event_types or []):
                _add_delivery(session, endpoint, event)
        event.published_at = utcnow()
    return len(events)


def _add_delivery(session: Session, endpoint: WebhookEndpoint, event: Event) -> None:
    exists = session.execute(
        select(WebhookDelivery.id).where(
            WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.event_id == event.id
        )
    ).scalar()
    if exists is None:
        session.add(
            WebhookDelivery(
                workspace_id=endpoint.workspace_id,
                endpoint_id=endpoint.id,
                event_id=event.id,
                next_attempt_at=utcnow(),
            )
        )


def claim_time(timeout: float) -> timedelta:
    """How long a sender holds a delivery: its slowest send and a margin.

    A sender killed mid-send holds it no longer than this; then another sends it.
    """
    return timedelta(seconds=longest_attempt(timeout)) + CLAIM_MARGIN


def claim_delivery(
    session: Session,
    delivery_id: uuid.UUID,
    now: datetime,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> bool:
    """Take a delivery for this sender; an atomic conditional UPDATE, so one sender wins.

    The caller commits the claim before sending (see the module's note).
    """
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .values(claimed_until=now + claim_time(timeout))
    ).rowcount
    return claimed == 1


def due_delivery_ids(session: Session, now: datetime, batch: int = 200) -> list[uuid.UUID]:
    """The pending deliveries due by `now`, oldest event first."""
    return list(
        session.execute(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.event_id)
            .limit(batch)
        ).scalars()
    )


def next_due_at(session: Session) -> datetime | None:
    """When the relay next has a delivery to send.

    A claimed delivery is due when its claim ends: before that another sender has it
    (and, if that sender was killed, it is sent then).
    """
    due = case(
        (
            WebhookDelivery.claimed_until > WebhookDelivery.next_attempt_at,
            WebhookDelivery.claimed_until,
        ),
        else_=WebhookDelivery.next_attempt_at,
    )
    return session.execute(
        select(due)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at.is_not(None))
        .order_by(due)
        .limit(1)
    ).scalar()


def attempt_delivery(
    session: Session,
    delivery: WebhookDelivery,
    allow_private: bool,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> None:
    """One signed POST to a claimed delivery; records the attempt and what follows."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.event.payload, separators=(",", ":")).encode()
    timestamp = int(utcnow().timestamp())
    message_id = str(delivery.event_id)
    try:
        address = check_webhook_url(endpoint.url, allow_private)[0]
    except ValueError as exc:
        _record(session, delivery, None, 0, f"refused: {exc}", final=True)
        return
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, message_id, timestamp, body),
    }
    result = send_webhook(endpoint.url, address, body, headers, timeout)
    if result.status_code == 410:
        endpoint.active = False
        endpoint.disabled_reason = f"The endpoint answered 410 Gone on {iso(utcnow())}"
    _record(
        session,
        delivery,
        result.status_code,
        result.duration_ms,
        result.error,
        final=result.status_code == 410,
    )


def _record(session, delivery, status_code, duration_ms, error, final: bool) -> None:
    now = utcnow()
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error,
        )
    )
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.claimed_until = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.last_error = "succeeded", now, None
        delivery.next_attempt_at = None
    else:
        delivery.last_error = error or f"HTTP {status_code}"
        if final or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = "failed", None
        else:
            delay = min(BACKOFF_BASE * 2 ** (delivery.attempts - 1), BACKOFF_CAP)
            delivery.next_attempt_at = now + delay


def prepare_redelivery(delivery: WebhookDelivery) -> None:
    """Make a delivery pending again, whatever its state (an admin asked); a job sends it.

    No next attempt time: the relay leaves it to that job, so the admin's page reports
    the send it asked for. A failed send gets its backoff time, and the relay retries.
    """
    delivery.status, delivery.next_attempt_at, delivery.claimed_until = "pending", None, None


def get_delivery(session: Session, workspace_id, delivery_id) -> WebhookDelivery:
    return get_owned(session, WebhookDelivery, workspace_id, delivery_id)


def leave_to_its_sender(session: Session, delivery: WebhookDelivery) -> None:
    """Another sender holds this delivery: make it due when that claim ends, so the relay
    sends it if that sender died (the sender's own outcome replaces this time)."""
    session.refresh(delivery)
    if delivery.status == "pending" and delivery.claimed_until is not None:
        delivery.next_attempt_at = delivery.next_attempt_at or delivery.claimed_until


def prepare_test_event(session: Session, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A synthetic WebhookTest event for this endpoint only; a job then sends it."""
    moment = utcnow()
    event = Event(
        workspace_id=endpoint.workspace_id,
        event_type=TEST_EVENT_TYPE,
        lead_id=None,
        payload={
            "event_type": TEST_EVENT_TYPE,
            "lead_id": None,
            "endpoint_id": str(endpoint.id),
            "timestamp": iso(moment),
        },
        created_at=moment,
        published_at=moment,
    )
    session.add(event)
    session.flush()
    delivery = WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.id,
        event_id=event.id,
    )
    session.add(delivery)
    session.flush()
    # Not the relay's to send: the test job does (see prepare_redelivery). Set after the
    # insert, since the column's default would replace a None given to the constructor.
    delivery.next_attempt_at = None
    return delivery
