"""Target clients (admins): each prospect being demoed to with its counts, its leads with
their enriched core company and person, and a CSV upload that links rows as a job."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.core_data import LINK_CSV
from webapp.models.target_clients import TARGET_CLIENT_SOURCES
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.core.uploads import store_upload
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.jobs.runs import latest_run
from webapp.services.target_clients.linking import clean_target_client_domain
from webapp.services.target_clients.listing import (
    count_leads,
    lead_rows,
    sources_of,
    target_clients,
)

bp = Blueprint("target_clients", __name__, url_prefix="/target-clients")
PER_PAGE = 100


def _index(errors=None, form=None, status=200):
    return (
        render_template(
            "target_clients/index.html",
            clients=target_clients(db.session, g.workspace.id),
            run=latest_run(db.session, g.workspace.id, LINK_CSV),
            errors=errors or {},
            form=form or {},
            sources=TARGET_CLIENT_SOURCES,
        ),
        status,
    )


@bp.get("")
@admin_required
def index():
    return _index()


@bp.post("/upload")
@admin_required
def upload():
    form = request.form
    source = form.get("source") or "csv_import"
    try:
        errors = {}
        try:
            domain = clean_target_client_domain(form.get("target_client_domain"))
        except ValidationFailed as exc:
            errors.update(exc.errors)
        if source not in TARGET_CLIENT_SOURCES:
            errors["source"] = f"must be one of {', '.join(TARGET_CLIENT_SOURCES)}"
        if errors:
            raise ValidationFailed(errors)
        stored = store_upload(
            db.session, g.workspace.id, "target_clients.csv", request.files.get("file")
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _index(exc.errors, form, 422)
    record_audit(
        db.session, g.workspace.id, current_user.id, "target_client.csv_uploaded",
        "target_client", None,
        {"target_client_domain": domain, "filename": stored.filename}, client_ip(),
    )  # fmt: skip
    db.session.commit()
    enqueue(
        LINK_CSV, g.workspace.id, stored.id, domain, source,
        workspace_id=g.workspace.id, started_by=current_user.id,
        subject=("target_client", domain),
    )  # fmt: skip
    return redirect(url_for("target_clients.show", domain=domain))


@bp.get("/<domain>")
@admin_required
def show(domain):
    try:
        domain = clean_target_client_domain(domain)
    except ValidationFailed:
        raise NotFound("target client") from None
    source = request.args.get("source") or None
    if source not in (None, *TARGET_CLIENT_SOURCES):
        source = None
    total = count_leads(db.session, g.workspace.id, domain, source)
    run = latest_run(db.session, g.workspace.id, LINK_CSV, subject=("target_client", domain))
    if total == 0 and source is None and run is None:
        raise NotFound("target client")
    try:
        page = min(max(int(request.args.get("page", 1)), 1), 10**6)  # past the end: empty
    except ValueError:
        page = 1
    rows = lead_rows(db.session, g.workspace.id, domain, source, PER_PAGE, (page - 1) * PER_PAGE)
    record_audit(
        db.session, g.workspace.id, current_user.id, "target_client.viewed", "target_client",
        None, {"target_client_domain": domain, "source": source, "count": len(rows)}, client_ip(),
    )  # fmt: skip
    db.session.commit()
    return render_template(
        "target_clients/show.html",
        domain=domain,
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        source=source,
        sources=sources_of(db.session, g.workspace.id, domain),
        all_sources=TARGET_CLIENT_SOURCES,
        run=run,
    )
