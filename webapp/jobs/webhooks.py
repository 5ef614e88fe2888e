"""Webhook sends an admin asked for: a test event, a redelivery. Each is a run of its own."""

from __future__ import annotations

import uuid

from flask import current_app

from webapp.extensions import db
from webapp.jobs.events import send_delivery
from webapp.jobs.registry import job
from webapp.jobs.runner import GiveUp
from webapp.services.errors import NotFound
from webapp.services.webhooks.delivery import get_delivery, leave_to_its_sender

TEST = "webhooks.test"
REDELIVER = "webhooks.redeliver"


def _send(run, workspace_id: str, delivery_id: str, what: str) -> None:
    try:
        delivery = get_delivery(db.session, uuid.UUID(workspace_id), delivery_id)
    except NotFound:
        run.tell(f"{what} not sent: the endpoint or the delivery was deleted.")
        return
    config = current_app.config
    allow_private, timeout = config["WEBHOOKS_ALLOW_PRIVATE"], config["WEBHOOK_TIMEOUT_SECONDS"]
    if not send_delivery(delivery.id, allow_private, timeout):
        leave_to_its_sender(db.session, delivery)
        db.session.commit()
        run.tell(f"{what} is already being sent; see its delivery below.")
        return
    db.session.refresh(delivery)
    if delivery.status == "succeeded":
        run.count(delivered=1)
        run.tell(f"{what} delivered (HTTP {delivery.last_status_code}).")
    else:
        run.count(not_delivered=1)
        # Failed, with Retry on its run; the delivery keeps its own attempts.
        raise GiveUp(f"{what} not delivered: {delivery.last_error}.")


@job(TEST, label="Webhook test event")
def send_test_event(run, workspace_id: str, delivery_id: str) -> None:
    _send(run, workspace_id, delivery_id, "Test event")


@job(REDELIVER, label="Webhook redelivery")
def redeliver(run, workspace_id: str, delivery_id: str) -> None:
    event_id = _event_id(workspace_id, delivery_id)
    _send(run, workspace_id, delivery_id, f"Event {event_id}" if event_id else "The event")


def _event_id(workspace_id: str, delivery_id: str):
    try:
        return get_delivery(db.session, uuid.UUID(workspace_id), delivery_id).event_id
    except NotFound:
        return None
