"""Contacts: the people converted leads became, listed and shown with their leads."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.crm.pages import contact_detail, contacts_page
from webapp.services.errors import NotFound
from webapp.services.record_pages import clean_query
from webapp.tenancy import parse_uuid

bp = Blueprint("contacts", __name__, url_prefix="/contacts")


@bp.get("")
@login_required
def index():
    q = clean_query(request.args.get("q"))
    page = contacts_page(db.session, g.workspace.id, q, request.args.get("page", 1))
    return render_template("contacts/index.html", page=page, q=q)


@bp.get("/<contact_id>")
@login_required
def show(contact_id):
    parsed = parse_uuid(contact_id)
    if parsed is None:
        raise NotFound("contact")  # the app's handler answers 404, as for any NotFound
    context = contact_detail(db.session, g.workspace.id, parsed)
    # A contact is personal data: who looked is written down, as for a lead.
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "contact.viewed",
        "contact",
        parsed,
        ip_address=client_ip(),
    )
    db.session.commit()
    return render_template("contacts/show.html", **context)
