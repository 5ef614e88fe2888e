"""Companies and People (core reference data, every member reads) and the core load page
(workspace admins: the `core` write permission, docs/contracts.md#core)."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.core_data import LOAD, LOAD_FILE
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.core.browse import companies_page, company_detail, people_page
from webapp.services.core.uploads import store_upload
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.jobs.runs import latest_run
from webapp.services.record_pages import clean_query
from webapp.tenancy import parse_uuid

bp = Blueprint("core_pages", __name__, url_prefix="/core")
KINDS = ("companies", "people")


@bp.get("/companies")
@login_required
def companies():
    q = clean_query(request.args.get("q"))
    page = companies_page(db.session, q, request.args.get("page", 1))
    return render_template("core/companies.html", page=page, q=q)


@bp.get("/companies/<company_id>")
@login_required
def company(company_id):
    parsed = parse_uuid(company_id)
    if parsed is None:
        raise NotFound("company")
    return render_template(
        "core/company.html", **company_detail(db.session, g.workspace.id, parsed)
    )


@bp.get("/people")
@login_required
def people():
    q = clean_query(request.args.get("q"))
    page = people_page(db.session, q, request.args.get("page", 1))
    return render_template("core/people.html", page=page, q=q)


def _load_page(errors=None, form=None, status=200):
    run = latest_run(db.session, g.workspace.id, (LOAD, LOAD_FILE))
    return (
        render_template(
            "core/load.html", run=run, errors=errors or {}, form=form or {}, kinds=KINDS
        ),
        status,
    )


@bp.get("/load")
@admin_required
def load():
    return _load_page()


@bp.post("/load")
@admin_required
def start_load():
    kind = request.form.get("kind", "")
    try:
        if kind not in KINDS:
            raise ValidationFailed({"kind": "must be companies or people"})
        upload = store_upload(db.session, g.workspace.id, f"core.{kind}", request.files.get("file"))
    except ValidationFailed as exc:
        db.session.rollback()
        return _load_page(exc.errors, request.form, 422)
    record_audit(
        db.session, g.workspace.id, current_user.id, "core.load_started", "core", None,
        {"kind": kind, "filename": upload.filename}, client_ip(),
    )  # fmt: skip
    db.session.commit()
    enqueue(
        LOAD, g.workspace.id, upload.id, kind,
        workspace_id=g.workspace.id, started_by=current_user.id, subject=("core_load", kind),
    )  # fmt: skip
    return redirect(url_for("core_pages.load"))
