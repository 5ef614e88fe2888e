"""Accounts: the companies converted leads belong to, with their contacts and leads."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_login import login_required

from webapp.extensions import db
from webapp.services.crm.pages import account_detail, accounts_page
from webapp.services.errors import NotFound
from webapp.services.record_pages import clean_query
from webapp.tenancy import parse_uuid

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.get("")
@login_required
def index():
    q = clean_query(request.args.get("q"))
    page = accounts_page(db.session, g.workspace.id, q, request.args.get("page", 1))
    return render_template("accounts/index.html", page=page, q=q)


@bp.get("/<account_id>")
@login_required
def show(account_id):
    parsed = parse_uuid(account_id)
    if parsed is None:
        raise NotFound("account")  # the app's handler answers 404, as for any NotFound
    context = account_detail(db.session, g.workspace.id, parsed)
    return render_template("accounts/show.html", **context)
