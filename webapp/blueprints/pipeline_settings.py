"""Settings → Providers, Delivery and Platforms: where the lead pipeline talks to (admins).

Keys and the Slack webhook URL are write-only: a blank field keeps the saved one, "Remove …"
clears it, and pages show only a mask, even when the form comes back with an error. Audit rows
name the fields changed, never a key, the Slack URL or URL credentials.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.models.providers import EMAIL_TRANSPORTS
from webapp.net import client_ip
from webapp.providers.config import PROVIDERS, ProviderNotConfigured, provider_config
from webapp.providers.guard import private_allowed
from webapp.services.audit import changed_fields, record_audit
from webapp.services.errors import Conflict, NotFound, ValidationFailed
from webapp.services.pipeline_settings import (
    create_platform_route,
    delete_platform_route,
    delivery_settings,
    mask_key,
    mask_secret_url,
    platform_routes,
    provider_settings,
    save_provider_setting,
    test_provider_connection,
    update_delivery_settings,
    update_platform_route,
)

bp = Blueprint("pipeline_settings", __name__, url_prefix="/settings")


def _allow_private() -> bool:
    """Private addresses only when calls to them are allowed (the guard's rule: the sandbox,
    PROVIDERS_ALLOW_PRIVATE or WEBHOOKS_ALLOW_PRIVATE), so what saves is what is sent."""
    return private_allowed()


def _audit(action: str, details: dict) -> None:
    record_audit(
        db.session, g.workspace.id, current_user.id, action, None, None, details, client_ip()
    )


# --- Providers --------------------------------------------------------------------------


def _providers_page(values=None, errors=None, status=200, tested=None):
    saved = provider_settings(db.session, g.workspace.id)
    return render_template(
        "settings/providers.html",
        providers=PROVIDERS,
        saved=saved,
        mask_key=mask_key,
        values=values or {},
        errors=errors or {},
        tested=tested,
    ), status


def _provider_name(name: str) -> str:
    if name not in PROVIDERS:
        raise NotFound("provider")
    return name


@bp.get("/providers")
@admin_required
def providers():
    return _providers_page()


@bp.post("/providers/<name>")
@admin_required
def save_provider(name):
    name = _provider_name(name)
    data = {
        "base_url": request.form.get("base_url", ""),
        "api_key": request.form.get("api_key", ""),
        "clear_key": request.form.get("clear_key") == "1",
        "timeout": request.form.get("timeout", ""),
    }
    try:
        row = save_provider_setting(db.session, g.workspace.id, name, data, _allow_private())
        changed = changed_fields(row) if row is not None else []
    except ValidationFailed as exc:
        db.session.rollback()
        shown = {k: v for k, v in data.items() if k != "api_key"}  # a key is never echoed
        return _providers_page({name: shown}, {name: exc.errors}, 422)
    if row is None:
        _audit("provider.removed", {"provider": name})
        message = f"{PROVIDERS[name][2]}: settings removed (the environment's are used, if any)."
    else:
        _audit("provider.updated", {"provider": name, "changed": changed or ["nothing"]})
        message = f"{PROVIDERS[name][2]}: saved."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("pipeline_settings.providers") + f"#provider-{name}")


@bp.post("/providers/<name>/test")
@admin_required
def test_provider(name):
    name = _provider_name(name)
    try:
        config = provider_config(db.session, g.workspace.id, name)
    except ProviderNotConfigured as exc:
        return _providers_page(tested={"name": name, "ok": False, "message": str(exc)})
    ok, message = test_provider_connection(name, config)
    return _providers_page(tested={"name": name, "ok": ok, "message": message})


# --- Delivery ---------------------------------------------------------------------------


def _delivery_page(values=None, errors=None, status=200):
    row = delivery_settings(db.session, g.workspace.id)
    values = values or {
        "email_recipients": ", ".join(row.email_recipients or []),
        "email_transport": row.email_transport,
        "webhooks_enabled": row.webhooks_enabled,
    }
    return render_template(
        "settings/delivery.html",
        values=values,
        errors=errors or {},
        transports=EMAIL_TRANSPORTS,
        slack_mask=mask_secret_url(row.slack_webhook_url),
    ), status


@bp.get("/delivery")
@admin_required
def delivery():
    return _delivery_page()


@bp.post("/delivery")
@admin_required
def save_delivery():
    data = {
        "email_recipients": request.form.get("email_recipients", ""),
        "email_transport": request.form.get("email_transport", "smtp"),
        "slack_webhook_url": request.form.get("slack_webhook_url", ""),
        "clear_slack": request.form.get("clear_slack") == "1",
        "webhooks_enabled": request.form.get("webhooks_enabled") == "1",
    }
    try:
        row = update_delivery_settings(db.session, g.workspace.id, data, _allow_private())
        changed = changed_fields(row)
    except ValidationFailed as exc:
        db.session.rollback()
        shown = {k: v for k, v in data.items() if k != "slack_webhook_url"}  # never echoed
        return _delivery_page(shown, exc.errors, 422)
    _audit("delivery.updated", {"changed": changed or ["nothing"]})
    db.session.commit()
    flash("Delivery settings saved.", "success")
    return redirect(url_for("pipeline_settings.delivery"))


# --- Platforms --------------------------------------------------------------------------


def _route_data() -> dict:
    form = request.form
    return {
        "industry": form.get("industry", ""),
        "platform_name": form.get("platform_name", ""),
        "url": form.get("url", ""),
        "api_key": form.get("api_key", ""),
        "clear_key": form.get("clear_key") == "1",
        "batch_size": form.get("batch_size", ""),
        "rate_limit_per_minute": form.get("rate_limit_per_minute", ""),
        "active": form.get("active") == "1",
    }


def _platforms_page(values=None, errors=None, status=200, editing=None):
    routes = platform_routes(db.session, g.workspace.id)
    db.session.commit()  # the seed's routes, added on first use, are kept
    return render_template(
        "settings/platforms.html",
        routes=routes,
        mask_key=mask_key,
        values=values or {},
        errors=errors or {},
        editing=editing,
    ), status


def _route_details(route) -> dict:
    return {"industry": route.industry, "platform": route.platform_name}


@bp.get("/platforms")
@admin_required
def platforms():
    return _platforms_page()


@bp.post("/platforms")
@admin_required
def create_route():
    data = _route_data()
    try:
        route = create_platform_route(db.session, g.workspace.id, data, _allow_private())
    except ValidationFailed as exc:
        db.session.rollback()
        data.pop("api_key")
        return _platforms_page(data, exc.errors, 422, editing="new")
    _audit("platform_route.created", _route_details(route))
    db.session.commit()
    flash(f"Leads of {route.industry} now go to {route.platform_name}.", "success")
    return redirect(url_for("pipeline_settings.platforms"))


@bp.post("/platforms/<route_id>")
@admin_required
def update_route(route_id):
    data = _route_data()
    try:
        route = update_platform_route(db.session, g.workspace.id, route_id, data, _allow_private())
        changed = changed_fields(route)
    except ValidationFailed as exc:
        db.session.rollback()
        data.pop("api_key")
        return _platforms_page(data, exc.errors, 422, editing=str(route_id))
    _audit("platform_route.updated", {**_route_details(route), "changed": changed or ["nothing"]})
    db.session.commit()
    flash(f"Route for {route.industry} saved.", "success")
    return redirect(url_for("pipeline_settings.platforms"))


@bp.post("/platforms/<route_id>/delete")
@admin_required
def delete_route(route_id):
    try:
        route = delete_platform_route(db.session, g.workspace.id, route_id)
    except Conflict as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("pipeline_settings.platforms"))
    _audit("platform_route.deleted", _route_details(route))
    db.session.commit()
    flash(f"Route for {route.industry} deleted; its leads go to the Default route.", "success")
    return redirect(url_for("pipeline_settings.platforms"))
