"""Settings → Webhooks: endpoints, their deliveries, redeliver and test events (admins)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.jobs.events import deliver_webhook
from webapp.models.events import EVENT_TYPES
from webapp.models.webhooks import WebhookEndpoint
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.webhooks.delivery import add_test_delivery, reset_for_redelivery
from webapp.services.webhooks.endpoints import (
    create_endpoint,
    delete_endpoint,
    get_delivery,
    get_endpoint,
    list_endpoints,
    recent_deliveries,
    set_endpoint_active,
    update_endpoint,
)

bp = Blueprint("webhooks_settings", __name__, url_prefix="/settings/webhooks")


def _allow_private() -> bool:
    return current_app.config["WEBHOOKS_ALLOW_PRIVATE"]


def _endpoint(endpoint_id) -> WebhookEndpoint:
    """The workspace's endpoint; another's, or none, is a 404 (services' NotFound)."""
    return get_endpoint(db.session, g.workspace.id, endpoint_id)


def _data() -> dict:
    return {
        "url": request.form.get("url", ""),
        "description": request.form.get("description", ""),
        "event_types": request.form.getlist("event_types"),
    }


def _index(values=None, errors=None, status=200):
    return render_template(
        "settings/webhooks.html",
        endpoints=list_endpoints(db.session, g.workspace.id),
        event_types=EVENT_TYPES,
        values=values or {"event_types": list(EVENT_TYPES)},
        errors=errors or {},
    ), status


def _show(endpoint, values=None, errors=None, status=200):
    values = values or {
        "url": endpoint.url,
        "description": endpoint.description or "",
        "event_types": endpoint.event_types,
    }
    return render_template(
        "settings/webhook_endpoint.html",
        endpoint=endpoint,
        deliveries=recent_deliveries(db.session, endpoint),
        event_types=EVENT_TYPES,
        values=values,
        errors=errors or {},
    ), status


@bp.get("")
@admin_required
def index():
    return _index()


@bp.post("")
@admin_required
def create():
    try:
        endpoint = create_endpoint(db.session, g.workspace.id, _data(), _allow_private())
    except ValidationFailed as exc:
        db.session.rollback()
        return _index(values=_data(), errors=exc.errors, status=422)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "webhook.created",
        "webhook",
        endpoint.id,
        {"url": endpoint.url},
        client_ip(),
    )
    db.session.commit()
    flash("Endpoint added. Its signing secret is on this page.", "success")
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


@bp.get("/<endpoint_id>")
@admin_required
def show(endpoint_id):
    return _show(_endpoint(endpoint_id))


@bp.post("/<endpoint_id>")
@admin_required
def update(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    try:
        update_endpoint(endpoint, _data(), _allow_private())
    except ValidationFailed as exc:
        db.session.rollback()
        return _show(_endpoint(endpoint_id), _data(), exc.errors, 422)
    db.session.commit()
    flash("Endpoint saved.", "success")
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


@bp.post("/<endpoint_id>/active")
@admin_required
def set_active(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    set_endpoint_active(endpoint, request.form.get("active") == "1")
    db.session.commit()
    flash("Endpoint enabled." if endpoint.active else "Endpoint disabled.", "success")
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


@bp.post("/<endpoint_id>/delete")
@admin_required
def delete(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "webhook.deleted",
        "webhook",
        endpoint.id,
        {"url": endpoint.url},
        client_ip(),
    )
    delete_endpoint(db.session, endpoint)
    db.session.commit()
    flash("Endpoint deleted.", "success")
    return redirect(url_for("webhooks_settings.index"))


@bp.post("/<endpoint_id>/test")
@admin_required
def test_event(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    delivery = add_test_delivery(db.session, endpoint)
    db.session.commit()
    deliver_webhook(str(delivery.id))  # the admin waits for the answer
    db.session.refresh(delivery)
    if delivery.status == "succeeded":
        flash(f"Test event delivered (HTTP {delivery.last_status_code}).", "success")
    else:
        flash(f"Test event not delivered: {delivery.last_error}.", "error")
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


@bp.post("/<endpoint_id>/deliveries/<delivery_id>/redeliver")
@admin_required
def redeliver_one(endpoint_id, delivery_id):
    endpoint = _endpoint(endpoint_id)
    delivery = get_delivery(db.session, endpoint, delivery_id)
    reset_for_redelivery(delivery)
    db.session.commit()
    deliver_webhook(str(delivery.id))
    db.session.refresh(delivery)
    state = (
        "delivered" if delivery.status == "succeeded" else f"not delivered ({delivery.last_error})"
    )
    flash(
        f"Event {delivery.event_id} {state}.",
        "success" if delivery.status == "succeeded" else "error",
    )
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))
