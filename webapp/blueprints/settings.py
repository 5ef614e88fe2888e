"""Settings: the workspace's members (admins add and deactivate users)."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.net import client_ip
from webapp.services.accounts.users import (
    add_member,
    member_change,
    set_member_active,
    update_workspace,
    workspace_members,
)
from webapp.services.audit import changed_fields, record_audit
from webapp.services.errors import ValidationFailed

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _render(errors=None, form=None, status=200):
    members = workspace_members(db.session, g.workspace.id)
    return (
        render_template(
            "settings/index.html",
            members=members,
            errors=errors or {},
            form=form or {},
            timezones=sorted(available_timezones()),
        ),
        status,
    )


def _audit(action: str, user_id, details: dict) -> None:
    record_audit(
        db.session, g.workspace.id, current_user.id, action, "user", user_id, details, client_ip()
    )


@bp.get("")
@login_required
def index():
    return _render()


@bp.post("/workspace")
@admin_required
def update_workspace_settings():
    try:
        update_workspace(
            g.workspace, request.form.get("workspace_name", ""), request.form.get("timezone", "")
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(errors=exc.errors, form=request.form, status=422)
    db.session.commit()
    flash("Workspace saved.", "success")
    return redirect(url_for("settings.index"))


@bp.post("/members")
@admin_required
def add_user():
    form = request.form
    change = member_change(db.session, g.workspace, form.get("email", ""), form.get("role", "rep"))
    try:
        membership = add_member(
            db.session,
            g.workspace,
            email=form.get("email", ""),
            role=form.get("role", "rep"),
            name=form.get("name", ""),
            password=form.get("password") or None,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(errors=exc.errors, form=form, status=422)
    if change is not None:
        action, old_role = change
        details = {"email": membership.user.email, "role": membership.role}
        if action == "member.role_changed":
            details["old_role"] = old_role
        _audit(action, membership.user_id, details)
    db.session.commit()
    flash(f"{membership.user.email} is now a {membership.role} of {g.workspace.name}.", "success")
    return redirect(url_for("settings.index"))


@bp.post("/members/<member_id>/active")
@admin_required
def set_active(member_id):
    active = request.form.get("active") == "1"
    try:
        membership = set_member_active(
            db.session, g.workspace.id, member_id, active, current_user.id
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(errors=exc.errors, status=422)
    state = "reactivated" if active else "deactivated"
    if "active" in changed_fields(membership):  # a second click changes nothing
        _audit(f"member.{state}", membership.user_id, {"email": membership.user.email})
    db.session.commit()
    flash(f"{membership.user.email} was {state}.", "success")
    return redirect(url_for("settings.index"))
