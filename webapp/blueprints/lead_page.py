"""The lead page: every field edited in place, the pipeline, the timeline, conversion.

Each action answers an HTMX request with the parts of the page that changed
(swapped out of band), and a plain form post with a redirect back to the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth_session import admin_required
from webapp.blueprints.my_leads_view import lead_filter_from
from webapp.extensions import db
from webapp.models import Lead
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.leads.changes import (
    add_note,
    assign_lead,
    change_status_or_add_note,
    log_contact,
    set_priority,
    tag_lead,
    untag_lead,
)
from webapp.services.leads.conversion import convert_lead
from webapp.services.leads.delete import delete_lead
from webapp.services.leads.detail import page_context
from webapp.services.leads.edit import INLINE_FIELDS, update_field
from webapp.services.leads.neighbours import list_query, neighbours, view_args
from webapp.templating import errors_sentence, isolated
from webapp.tenancy import get_scoped_or_404

bp = Blueprint("lead", __name__, url_prefix="/leads")
STATUS_MESSAGES = {"status": "Status changed.", "note": "Status unchanged; note added."}


def _lead(lead_id) -> Lead:
    return get_scoped_or_404(Lead, lead_id)


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


def _view_query() -> str:
    """The My Leads view the lead was opened from: ?from=…, else the page that linked here.

    Falls back to the default view (My Leads without a query) when neither says.
    """
    if "from" in request.args:
        return request.args["from"]
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path == url_for("leads.index"):
        return referrer.query
    return ""


def _list_nav(lead: Lead) -> dict:
    """Back to the list at this lead's page, and the leads before and after it there."""
    lead_filter = lead_filter_from(view_args(_view_query()))
    around = neighbours(
        db.session, lead, lead_filter, current_user.id, g.workspace.timezone or "UTC"
    )
    origin = list_query(lead_filter, 1)  # what prev/next carry on: the view, not its page

    def lead_url(lead_id):
        return url_for("lead.show", lead_id=lead_id, **({"from": origin} if origin else {}))

    query = list_query(lead_filter, around.page)
    return {
        "back_url": url_for("leads.index") + (f"?{query}" if query else "") + f"#lead-{lead.id}",
        "previous_url": lead_url(around.previous_id) if around.previous_id else None,
        "next_url": lead_url(around.next_id) if around.next_id else None,
        "view_query": origin,
    }


@bp.get("/<lead_id>")
@login_required
def show(lead_id):
    lead = _lead(lead_id)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "lead.viewed",
        "lead",
        lead.id,
        ip_address=client_ip(),
    )
    db.session.commit()
    context = page_context(db.session, lead, g.workspace.id)
    return render_template("lead/show.html", lead_nav=_list_nav(lead), **context)


@bp.post("/<lead_id>/delete")
@admin_required
def delete(lead_id):
    lead = _lead(lead_id)
    lead_filter = lead_filter_from(view_args(request.form.get("from", "")))
    around = neighbours(
        db.session, lead, lead_filter, current_user.id, g.workspace.timezone or "UTC"
    )
    name = delete_lead(db.session, lead, current_user.id, client_ip())
    db.session.commit()
    flash(f"Lead {isolated(name)} deleted.", "success")
    query = list_query(lead_filter, around.page)
    return redirect(url_for("leads.index") + (f"?{query}" if query else ""))


def _after_action(lead: Lead, errors: dict | None = None, message: str | None = None):
    """Commit (or not, on errors) and answer with what changed."""
    if errors:
        db.session.rollback()
        lead = _lead(lead.id)
    else:
        db.session.commit()
    if _is_htmx():
        context = page_context(db.session, lead, g.workspace.id)
        return render_template("lead/_changed.html", errors=errors or {}, **context), (
            422 if errors else 200
        )
    if errors:
        flash(errors_sentence(errors), "error")
    elif message:
        flash(message, "success")
    return redirect(url_for("lead.show", lead_id=lead.id))


def _run(lead: Lead, change, message: str | None = None):
    try:
        change()
    except ValidationFailed as exc:
        return _after_action(lead, exc.errors)
    return _after_action(lead, message=message)


@bp.post("/<lead_id>/status")
@login_required
def status(lead_id):
    lead = _lead(lead_id)
    try:
        outcome = change_status_or_add_note(
            db.session,
            lead,
            request.form.get("status", ""),
            current_user.id,
            request.form.get("note"),
        )
    except ValidationFailed as exc:
        return _after_action(lead, exc.errors)
    return _after_action(lead, message=STATUS_MESSAGES.get(outcome))


@bp.post("/<lead_id>/assign")
@login_required
def assign(lead_id):
    lead = _lead(lead_id)
    return _run(
        lead,
        lambda: assign_lead(
            db.session, lead, request.form.get("assigned_to") or None, current_user.id
        ),
        "Owner changed.",
    )


@bp.post("/<lead_id>/priority")
@login_required
def priority(lead_id):
    lead = _lead(lead_id)
    return _run(
        lead,
        lambda: set_priority(db.session, lead, request.form.get("priority", ""), current_user.id),
        "Priority changed.",
    )


@bp.post("/<lead_id>/tags")
@login_required
def tags(lead_id):
    lead = _lead(lead_id)

    def change():
        if request.form.get("remove"):
            untag_lead(db.session, lead, [request.form["remove"]], current_user.id)
        else:
            tag_lead(db.session, lead, request.form.get("add", ""), current_user.id)

    return _run(lead, change)


@bp.post("/<lead_id>/notes")
@login_required
def note(lead_id):
    lead = _lead(lead_id)
    return _run(
        lead,
        lambda: add_note(db.session, lead, request.form.get("note"), current_user.id),
        "Note added.",
    )


@bp.post("/<lead_id>/contacts")
@login_required
def contact(lead_id):
    lead = _lead(lead_id)
    return _run(
        lead,
        lambda: log_contact(
            db.session,
            lead,
            request.form.get("channel", ""),
            request.form.get("summary"),
            current_user.id,
        ),
        "Contact logged.",
    )


@bp.post("/<lead_id>/convert")
@login_required
def convert(lead_id):
    lead = _lead(lead_id)
    return _run(lead, lambda: convert_lead(db.session, lead, current_user.id), "Lead converted.")


def _field_or_404(field: str) -> str:
    if field not in INLINE_FIELDS:
        abort(404)
    return field


@bp.get("/<lead_id>/fields/<field>")
@login_required
def field(lead_id, field):
    """The field as shown (also what Cancel brings back)."""
    lead = _lead(lead_id)
    field = _field_or_404(field)
    if not _is_htmx():
        return redirect(url_for("lead.show", lead_id=lead.id))
    return render_template("lead/_field.html", lead=lead, field=field)


@bp.get("/<lead_id>/fields/<field>/edit")
@login_required
def edit_field(lead_id, field):
    lead = _lead(lead_id)
    field = _field_or_404(field)
    if not _is_htmx():  # without JavaScript: the whole page, this field open for editing
        context = page_context(db.session, lead, g.workspace.id)
        return render_template("lead/show.html", editing=field, lead_nav=_list_nav(lead), **context)
    return render_template(
        "lead/_field_edit.html", lead=lead, field=field, value=getattr(lead, field), error=None
    )


@bp.post("/<lead_id>/fields/<field>")
@login_required
def save_field(lead_id, field):
    lead = _lead(lead_id)
    field = _field_or_404(field)
    value = request.form.get("value", "")
    try:
        changed = update_field(db.session, lead, field, value, current_user.id, client_ip())
    except ValidationFailed as exc:
        db.session.rollback()
        lead = _lead(lead_id)
        if not _is_htmx():
            flash(errors_sentence({field: exc.errors.get(field)}), "error")
            return redirect(url_for("lead.show", lead_id=lead.id))
        return render_template(
            "lead/_field_edit.html",
            lead=lead,
            field=field,
            value=value,
            error=exc.errors.get(field),
        ), 422
    db.session.commit()
    if not _is_htmx():
        return redirect(url_for("lead.show", lead_id=lead.id))
    context = page_context(db.session, lead, g.workspace.id)
    return render_template(
        "lead/_field_saved.html",
        field=field,
        also_changed=[f for f in changed if f != field],
        **context,
    )
