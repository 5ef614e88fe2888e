"""Settings → Forms: capture forms, embed snippets and the spam quarantine (admins)."""

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
from webapp.models.forms import ASSIGNMENT_LABELS
from webapp.net import client_ip
from webapp.services.accounts.users import workspace_members
from webapp.services.audit import changed_fields, record_audit
from webapp.services.capture.forms import (
    create_form,
    delete_form,
    dismiss_submission,
    get_form,
    list_forms,
    quarantined,
    regenerate_key,
    set_form_active,
    update_form,
)
from webapp.services.capture.submissions import release_spam_submission
from webapp.services.errors import ValidationFailed
from webapp.services.pipeline_settings.urls import mask_secret_url
from webapp.templating import errors_sentence

bp = Blueprint("forms_settings", __name__, url_prefix="/settings/forms")


def _form(form_id):
    """The workspace's form; another's, or none, is a 404 (services' NotFound)."""
    return get_form(db.session, g.workspace.id, form_id)


def _form_data() -> dict:
    data = request.form.to_dict()
    data["round_robin_user_ids"] = request.form.getlist("round_robin_user_ids")
    return data


def _edit_page(form=None, values=None, errors=None, status=200):
    members = [m for m in workspace_members(db.session, g.workspace.id, active_only=True)]
    return render_template(
        "settings/form_edit.html",
        form=form,
        values=values or {},
        errors=errors or {},
        members=members,
        assignment_labels=ASSIGNMENT_LABELS,
        slack_mask=mask_secret_url(form.slack_webhook_url) if form is not None else "",
    ), status


def _values_of(form) -> dict:
    return {
        "name": form.name,
        "allowed_origins": "\n".join(form.allowed_origins or []),
        "default_source": form.default_source,
        "assignment_mode": form.assignment_mode,
        "owner_id": str(form.owner_id or ""),
        "round_robin_user_ids": form.round_robin_user_ids,
        "thank_you_url": form.thank_you_url or "",
        "rate_limit_per_hour": form.rate_limit_per_hour,
        "min_fill_seconds": form.min_fill_seconds,
        "notification_emails": "\n".join(form.notification_emails or []),
    }


@bp.get("")
@admin_required
def index():
    return render_template("settings/forms.html", forms=list_forms(db.session, g.workspace.id))


@bp.get("/new")
@admin_required
def new():
    return _edit_page(
        values={
            "rate_limit_per_hour": 10,
            "min_fill_seconds": 3,
            "default_source": "website",
            "assignment_mode": "none",
        }
    )


@bp.post("")
@admin_required
def create():
    data = _form_data()
    try:
        form = create_form(db.session, g.workspace.id, data)
    except ValidationFailed as exc:
        db.session.rollback()
        return _edit_page(values=data, errors=exc.errors, status=422)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "form.created",
        "form",
        form.id,
        {"name": form.name},
        ip_address=client_ip(),
    )
    db.session.commit()
    flash(f"Form “{form.name}” created.", "success")
    return redirect(url_for("forms_settings.show", form_id=form.id))


@bp.get("/<form_id>/edit")
@admin_required
def edit(form_id):
    form = _form(form_id)
    return _edit_page(form=form, values=_values_of(form))


@bp.post("/<form_id>")
@admin_required
def update(form_id):
    form = _form(form_id)
    data = _form_data()
    try:
        update_form(db.session, form, data)
        changed = changed_fields(form)
    except ValidationFailed as exc:
        db.session.rollback()
        data.pop("slack_webhook_url", None)  # write-only: never echoed
        return _edit_page(form=_form(form_id), values=data, errors=exc.errors, status=422)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "form.updated",
        "form",
        form.id,
        {"name": form.name, "changed": changed},
        client_ip(),
    )
    db.session.commit()
    flash("Form saved.", "success")
    return redirect(url_for("forms_settings.show", form_id=form.id))


@bp.get("/<form_id>")
@admin_required
def show(form_id):
    form = _form(form_id)
    base_url = current_app.config["BASE_URL"]
    return render_template(
        "settings/form_detail.html",
        form=form,
        base_url=base_url,
        hosted_url=base_url + url_for("public.hosted_form", key=form.public_key),
        held=quarantined(db.session, form),
    )


@bp.post("/<form_id>/key")
@admin_required
def new_key(form_id):
    form = _form(form_id)
    regenerate_key(form)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "form.key_regenerated",
        "form",
        form.id,
        {"name": form.name},
        ip_address=client_ip(),
    )
    db.session.commit()
    flash("New public key made; update the snippet on your website.", "success")
    return redirect(url_for("forms_settings.show", form_id=form.id))


@bp.post("/<form_id>/active")
@admin_required
def set_active(form_id):
    form = _form(form_id)
    set_form_active(form, request.form.get("active") == "1")
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "form.switched_on" if form.active else "form.switched_off",
        "form",
        form.id,
        {"name": form.name},
        client_ip(),
    )
    db.session.commit()
    flash("Form is taking submissions." if form.active else "Form is switched off.", "success")
    return redirect(url_for("forms_settings.show", form_id=form.id))


@bp.post("/<form_id>/delete")
@admin_required
def delete(form_id):
    form = _form(form_id)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "form.deleted",
        "form",
        form.id,
        {"name": form.name},
        ip_address=client_ip(),
    )
    delete_form(db.session, form)
    db.session.commit()
    flash("Form deleted. Leads it captured are kept.", "success")
    return redirect(url_for("forms_settings.index"))


@bp.post("/<form_id>/quarantine/<submission_id>/release")
@admin_required
def release(form_id, submission_id):
    form = _form(form_id)
    try:
        result = release_spam_submission(
            db.session, g.workspace.id, submission_id, current_user.id, form_id=form.id
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash(f"Cannot release. {errors_sentence(exc.errors)}.", "error")
        return redirect(url_for("forms_settings.show", form_id=form.id))
    db.session.commit()
    flash("Released as a lead." if result.created else "Added to the existing lead.", "success")
    return redirect(url_for("lead.show", lead_id=result.lead.id))


@bp.post("/<form_id>/quarantine/<submission_id>/dismiss")
@admin_required
def dismiss(form_id, submission_id):
    form = _form(form_id)
    dismiss_submission(db.session, form, submission_id)
    db.session.commit()
    flash("Submission dismissed.", "success")
    return redirect(url_for("forms_settings.show", form_id=form.id))
