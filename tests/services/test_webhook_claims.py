"""A delivery's claim: how long a sender holds it, and what happens when the sender died."""

from datetime import timedelta

import pytest

from webapp.jobs.events import send_delivery, send_due_deliveries
from webapp.models.base import utcnow
from webapp.models.webhooks import WebhookDelivery, WebhookEndpoint
from webapp.services.leads.timeline import create_lead
from webapp.services.webhooks.delivery import (
    claim_delivery,
    claim_time,
    leave_to_its_sender,
    next_due_at,
    relay_outbox,
)


@pytest.fixture()
def delivery(db, factory, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    workspace = factory.workspace()
    db.session.add(
        WebhookEndpoint(
            workspace_id=workspace.id, url=httpserver.url_for("/hook"), event_types=["LeadCreated"]
        )
    )
    create_lead(db.session, workspace.id, {"first_name": "Ada", "email": "ada@example.com"})
    db.session.commit()
    relay_outbox(db.session)
    return db.session.execute(db.select(WebhookDelivery)).scalar_one()


def held_by_a_dead_sender(db, delivery, timeout: float):
    """Claimed (as a sender does just before it sends) by a sender that then died."""
    assert claim_delivery(db.session, delivery.id, utcnow(), timeout)
    db.session.commit()
    db.session.refresh(delivery)
    return delivery.claimed_until


def test_a_claim_lasts_one_slowest_send_and_a_margin():
    # connect (at most 5 s) + the timeout + 5 s; no longer 90 s whatever the timeout.
    assert claim_time(10) == timedelta(seconds=20)
    assert claim_time(3) == timedelta(seconds=11)
    assert claim_time(30) == timedelta(seconds=40)


def test_a_dead_senders_delivery_is_due_when_its_claim_ends(db, delivery, httpserver):
    claimed_until = held_by_a_dead_sender(db, delivery, timeout=3)
    assert claimed_until - utcnow() <= timedelta(seconds=11)
    # The relay comes back when the claim ends (not in a second, again and again).
    assert next_due_at(db.session) == claimed_until
    assert send_due_deliveries(allow_private=True, timeout=3) == 0
    assert len(httpserver.log) == 0

    delivery.claimed_until = utcnow() - timedelta(seconds=1)  # the claim has run out
    db.session.commit()
    assert send_due_deliveries(allow_private=True, timeout=3) == 1
    db.session.refresh(delivery)
    assert (delivery.status, delivery.claimed_until, len(httpserver.log)) == ("succeeded", None, 1)


def test_a_send_asked_for_while_another_holds_it_is_left_to_the_relay(db, delivery, httpserver):
    claimed_until = held_by_a_dead_sender(db, delivery, timeout=10)
    delivery.next_attempt_at = None  # as a redelivery leaves it: the admin's job sends it
    db.session.commit()

    assert send_delivery(delivery.id, allow_private=True, timeout=10) is False
    leave_to_its_sender(db.session, delivery)  # as the admin's job does then
    db.session.commit()
    db.session.refresh(delivery)
    # Not lost if that sender died: the relay sends it when the claim ends.
    assert delivery.next_attempt_at == claimed_until
    assert next_due_at(db.session) == claimed_until
    assert len(httpserver.log) == 0
