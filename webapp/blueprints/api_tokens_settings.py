"""Settings → API tokens (admins): list, create (the secret is shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.models.api_tokens import SCOPES
from webapp.net import client_ip
from webapp.services.accounts.api_tokens import create_token, list_tokens, revoke_token
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed

bp = Blueprint("api_tokens_settings", __name__, url_prefix="/settings/tokens")


def _render(new_secret=None, new_token=None, errors=None, form=None, status=200):
    tokens = list_tokens(db.session, g.workspace.id)
    response = render_template(
        "settings/tokens.html",
        tokens=tokens,
        new_secret=new_secret,
        new_token=new_token,
        errors=errors or {},
        form=form or {},
        token_scopes=SCOPES,
    )
    headers = {"Cache-Control": "no-store"}  # the page may hold a secret
    return response, status, headers


@bp.get("")
@admin_required
def index():
    return _render()


@bp.post("")
@admin_required
def create():
    try:
        name = request.form.get("name", "")
        scopes = request.form.get("scopes", "all")
        new = create_token(db.session, g.workspace.id, name, current_user.id, scopes=scopes)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(errors=exc.errors, form=request.form, status=422)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "api_token.created",
        "api_token",
        new.token.id,
        {"name": new.token.name, "prefix": new.token.token_prefix, "scopes": new.token.scopes},
        client_ip(),
    )
    db.session.commit()
    # Rendered, not redirected: the secret must not travel through the session.
    return _render(new_secret=new.secret, new_token=new.token)


@bp.post("/<token_id>/revoke")
@admin_required
def revoke(token_id):
    token = revoke_token(db.session, g.workspace.id, token_id)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "api_token.revoked",
        "api_token",
        token.id,
        {"name": token.name, "prefix": token.token_prefix},
        client_ip(),
    )
    db.session.commit()
    flash(f"Token '{token.name}' was revoked; calls with it now get 401.", "success")
    return redirect(url_for("api_tokens_settings.index"))
