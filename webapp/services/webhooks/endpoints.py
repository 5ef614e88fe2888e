"""Webhook endpoints as admins manage them: settings, enabling, deleting, their deliveries."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models.events import EVENT_TYPES
from webapp.models.webhooks import WebhookDelivery, WebhookEndpoint
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.scoping import get_owned
from webapp.services.webhooks.urls import check_webhook_url

DELIVERIES_SHOWN = 100


def clean_endpoint(data: dict, allow_private: bool) -> dict:
    errors: dict[str, str] = {}
    url = (data.get("url") or "").strip()
    try:
        check_webhook_url(url, allow_private)
    except ValueError as exc:
        errors["url"] = str(exc)
    types = data.get("event_types") or []
    if isinstance(types, str):
        types = [types]
    unknown = [t for t in types if t not in EVENT_TYPES]
    if not types or unknown:
        errors["event_types"] = f"choose one or more of {', '.join(EVENT_TYPES)}"
    description = (data.get("description") or "").strip()
    if len(description) > 255:
        errors["description"] = "must be at most 255 characters"
    if errors:
        raise ValidationFailed(errors)
    return {
        "url": url,
        "event_types": list(dict.fromkeys(types)),
        "description": description or None,
    }


def create_endpoint(session: Session, workspace_id, data: dict, allow_private: bool):
    endpoint = WebhookEndpoint(workspace_id=workspace_id, **clean_endpoint(data, allow_private))
    session.add(endpoint)
    session.flush()
    return endpoint


def update_endpoint(endpoint: WebhookEndpoint, data: dict, allow_private: bool) -> None:
    for field, value in clean_endpoint(data, allow_private).items():
        setattr(endpoint, field, value)


def get_endpoint(session: Session, workspace_id, endpoint_id) -> WebhookEndpoint:
    return get_owned(session, WebhookEndpoint, workspace_id, endpoint_id)


def list_endpoints(session: Session, workspace_id: uuid.UUID) -> list[WebhookEndpoint]:
    return list(
        session.execute(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.workspace_id == workspace_id)
            .order_by(WebhookEndpoint.created_at)
        ).scalars()
    )


def set_endpoint_active(endpoint: WebhookEndpoint, active: bool) -> None:
    """Switch an endpoint on or off by hand (a 410 Gone switches it off by itself)."""
    endpoint.active = active
    endpoint.disabled_reason = None if active else "Disabled by an admin"


def delete_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    session.delete(endpoint)


def recent_deliveries(
    session: Session, endpoint: WebhookEndpoint, limit: int = DELIVERIES_SHOWN
) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest event first."""
    return list(
        session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.event_id.desc())
            .limit(limit)
        ).scalars()
    )


def get_delivery(session: Session, endpoint: WebhookEndpoint, delivery_id) -> WebhookDelivery:
    """One of the endpoint's deliveries, or NotFound."""
    try:
        wanted = uuid.UUID(str(delivery_id))
    except ValueError:
        raise NotFound("delivery") from None
    delivery = session.execute(
        select(WebhookDelivery).where(
            WebhookDelivery.id == wanted, WebhookDelivery.endpoint_id == endpoint.id
        )
    ).scalar()
    if delivery is None:
        raise NotFound("delivery")
    return delivery
