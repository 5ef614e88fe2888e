"""Settings → Webhooks: endpoints, their deliveries, redeliver and test events (admins)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.models.events import EVENT_TYPES
from webapp.models.webhooks import WebhookDelivery, WebhookEndpoint
from webapp.net import client_ip
from webapp.services.audit import changed_fields, record_audit
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.webhooks import (
    create_endpoint,
    get_endpoint,
    redeliver,
    send_test_event,
    update_endpoint,
)
from webapp.tenancy import parse_uuid

bp = Blueprint("webhooks_settings", __name__, url_prefix="/settings/webhooks")
DELIVERIES_SHOWN = 100


def _allow_private() -> bool:
    return current_app.config["WEBHOOKS_ALLOW_PRIVATE"]


def _endpoint_or_404(endpoint_id) -> WebhookEndpoint:
    try:
        return get_endpoint(db.session, g.workspace.id, endpoint_id)
    except NotFound:
        abort(404)


def _data() -> dict:
    return {
        "url": request.form.get("url", ""),
        "description": request.form.get("description", ""),
        "event_types": request.form.getlist("event_types"),
    }


def _index(values=None, errors=None, status=200):
    endpoints = (
        db.session.execute(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.workspace_id == g.workspace.id)
            .order_by(WebhookEndpoint.created_at)
        )
        .scalars()
        .all()
    )
    return render_template(
        "settings/webhooks.html",
        endpoints=endpoints,
        event_types=EVENT_TYPES,
        values=values or {"event_types": list(EVENT_TYPES)},
        errors=errors or {},
    ), status


def _show(endpoint, values=None, errors=None, status=200):
    deliveries = (
        db.session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.event_id.desc())
            .limit(DELIVERIES_SHOWN)
        )
        .scalars()
        .all()
    )
    values = values or {
        "url": endpoint.url,
        "description": endpoint.description or "",
        "event_types": endpoint.event_types,
    }
    return render_template(
        "settings/webhook_endpoint.html",
        endpoint=endpoint,
        deliveries=deliveries,
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
    return _show(_endpoint_or_404(endpoint_id))


@bp.post("/<endpoint_id>")
@admin_required
def update(endpoint_id):
    endpoint = _endpoint_or_404(endpoint_id)
    try:
        update_endpoint(endpoint, _data(), _allow_private())
        changed = changed_fields(endpoint)
    except ValidationFailed as exc:
        db.session.rollback()
        return _show(_endpoint_or_404(endpoint_id), _data(), exc.errors, 422)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "webhook.updated",
        "webhook",
        endpoint.id,
        {"url": endpoint.url, "changed": changed},
        client_ip(),
    )
    db.session.commit()
    flash("Endpoint saved.", "success")
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


@bp.post("/<endpoint_id>/active")
@admin_required
def set_active(endpoint_id):
    endpoint = _endpoint_or_404(endpoint_id)
    endpoint.active = request.form.get("active") == "1"
    endpoint.disabled_reason = None if endpoint.active else "Disabled by an admin"
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "webhook.enabled" if endpoint.active else "webhook.disabled",
        "webhook",
        endpoint.id,
        {"url": endpoint.url},
        client_ip(),
    )
    db.session.commit()
    flash("Endpoint enabled." if endpoint.active else "Endpoint disabled.", "success")
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


@bp.post("/<endpoint_id>/delete")
@admin_required
def delete(endpoint_id):
    endpoint = _endpoint_or_404(endpoint_id)
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
    db.session.delete(endpoint)
    db.session.commit()
    flash("Endpoint deleted.", "success")
    return redirect(url_for("webhooks_settings.index"))


@bp.post("/<endpoint_id>/test")
@admin_required
def test_event(endpoint_id):
    endpoint = _endpoint_or_404(endpoint_id)
    delivery = send_test_event(db.session, endpoint, _allow_private())
    db.session.refresh(delivery)
    if delivery.status == "succeeded":
        flash(f"Test event delivered (HTTP {delivery.last_status_code}).", "success")
    else:
        flash(f"Test event not delivered: {delivery.last_error}.", "error")
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


@bp.post("/<endpoint_id>/deliveries/<delivery_id>/redeliver")
@admin_required
def redeliver_one(endpoint_id, delivery_id):
    endpoint = _endpoint_or_404(endpoint_id)
    wanted = parse_uuid(delivery_id)
    delivery = (
        db.session.execute(
            select(WebhookDelivery).where(
                WebhookDelivery.id == wanted, WebhookDelivery.endpoint_id == endpoint.id
            )
        ).scalar()
        if wanted
        else None
    )
    if delivery is None:
        abort(404)
    redeliver(db.session, delivery, _allow_private())
    db.session.refresh(delivery)
    state = (
        "delivered" if delivery.status == "succeeded" else f"not delivered ({delivery.last_error})"
    )
    flash(
        f"Event {delivery.event_id} {state}.",
        "success" if delivery.status == "succeeded" else "error",
    )
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))
