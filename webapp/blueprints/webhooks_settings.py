"""Settings → Webhooks: endpoints, their deliveries, redeliver and test events (admins)."""

from __future__ import annotations

from datetime import timedelta

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
from webapp.jobs import enqueue
from webapp.jobs.webhooks import REDELIVER, TEST
from webapp.models.events import EVENT_TYPES
from webapp.models.webhooks import WebhookEndpoint
from webapp.net import client_ip
from webapp.services.audit import changed_fields, record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.jobs.runs import latest_run
from webapp.services.webhooks.delivery import prepare_redelivery, prepare_test_event
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
RUN_SHOWN_FOR = timedelta(minutes=15)  # the outcome of a test or redelivery, then it goes


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
    run = latest_run(
        db.session,
        g.workspace.id,
        (TEST, REDELIVER),
        subject=("webhook_endpoint", endpoint.id),
        started_by=current_user.id,
        within=RUN_SHOWN_FOR,
    )
    return render_template(
        "settings/webhook_endpoint.html",
        endpoint=endpoint,
        run=run,
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
        changed = changed_fields(endpoint)
    except ValidationFailed as exc:
        db.session.rollback()
        return _show(_endpoint(endpoint_id), _data(), exc.errors, 422)
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
    endpoint = _endpoint(endpoint_id)
    set_endpoint_active(endpoint, request.form.get("active") == "1")
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
    delivery = prepare_test_event(db.session, endpoint)
    db.session.commit()
    _send_in_background(TEST, endpoint, delivery)
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))


def _send_in_background(kind: str, endpoint: WebhookEndpoint, delivery) -> None:
    """The send waits on another site, so it leaves the request; the page shows its run."""
    enqueue(
        kind,
        endpoint.workspace_id,
        delivery.id,
        workspace_id=endpoint.workspace_id,
        started_by=current_user.id,
        subject=("webhook_endpoint", endpoint.id),
    )


@bp.post("/<endpoint_id>/deliveries/<delivery_id>/redeliver")
@admin_required
def redeliver_one(endpoint_id, delivery_id):
    endpoint = _endpoint(endpoint_id)
    delivery = get_delivery(db.session, endpoint, delivery_id)
    prepare_redelivery(delivery)
    db.session.commit()
    _send_in_background(REDELIVER, endpoint, delivery)
    return redirect(url_for("webhooks_settings.show", endpoint_id=endpoint.id))
