"""The "New lead" form, with inline validation as you fill it in."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.services.errors import ValidationFailed
from webapp.services.leads.input import clean_lead_fields
from webapp.services.leads.new_lead import create_from_form
from webapp.services.leads.timeline import find_by_email

bp = Blueprint("new_lead", __name__, url_prefix="/leads/new")

FORM_FIELDS = (
    "type",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "job_title",
    "company_name",
    "company_domain",
    "website",
    "linkedin_url",
    "city",
    "state",
    "country",
    "industry",
    "priority",
    "source",
    "notes",
)


@bp.get("")
@login_required
def form():
    return render_template(
        "leads/new.html",
        values={"type": "person", "source": "other", "priority": "medium"},
        errors={},
    )


@bp.post("")
@login_required
def create():
    values = {k: request.form.get(k, "") for k in FORM_FIELDS}
    values["tags"] = request.form.get("tags", "")
    try:
        result = create_from_form(db.session, g.workspace.id, values, current_user.id)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template("leads/new.html", values=values, errors=exc.errors), 422
    db.session.commit()
    if result.created:
        flash("Lead created.", "success")
    else:
        changes = [f.replace("_", " ") for f in result.filled]
        if result.tags_added:
            changes.append("tags " + ", ".join(result.tags_added))
        changed = "; ".join(changes) or "nothing new"
        flash(f"A lead with this email already existed; it was updated ({changed}).", "info")
    return redirect(url_for("lead.show", lead_id=result.lead.id))


@bp.post("/validate")
@login_required
def validate():
    """Check one field as it is filled in; answers the message to show under it."""
    field = request.form.get("field", "")
    if field not in FORM_FIELDS:
        return "", 204
    message, existing = None, None
    try:
        clean_lead_fields({field: request.form.get(field, "")})
    except ValidationFailed as exc:
        message = exc.errors.get(field)
    if field == "email" and not message:
        existing = find_by_email(db.session, g.workspace.id, request.form.get("email"))
    return render_template(
        "leads/_field_message.html", field=field, message=message, existing=existing
    )
