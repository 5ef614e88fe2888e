"""Pipeline pages: saved discovery queries, the signal table, Discover, intent overrides.

Reps may look at queries and signals and use Discover; admins create, edit, pause,
delete and run queries, and edit the signal table. Another workspace's query is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.discovery import DISCOVER_QUERY, start_enrichment_now
from webapp.models import Lead
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.jobs.runs import latest_run
from webapp.services.pipeline import queries as q
from webapp.services.pipeline.credits import credits_of
from webapp.services.pipeline.discover import clean_request, discover, search
from webapp.services.pipeline.override import override_intent
from webapp.services.pipeline.signals import (
    add_signal_type,
    delete_signal_type,
    signal_types,
    update_signal_type,
)
from webapp.templating import errors_sentence
from webapp.tenancy import get_scoped_or_404

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")
FORM_FIELDS = ("name", "topic", "country", "state", "city", "size_min", "size_max",
               "industries", "daily_limit")  # fmt: skip


def _audit(action: str, object_type: str, object_id, details: dict | None = None) -> None:
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        action,
        object_type,
        object_id,
        details or {},
        client_ip(),
    )


def _form() -> dict:
    data = {name: request.form.get(name, "") for name in FORM_FIELDS}
    data["active"] = request.form.get("active") in ("1", "on", "true")
    return data


def _query(query_id):
    return q.get_query(db.session, g.workspace.id, query_id)


# -- queries -------------------------------------------------------------------------


@bp.get("/queries")
@login_required
def queries():
    return render_template(
        "pipeline/queries.html",
        queries=q.list_queries(db.session, g.workspace.id),
        credits=credits_of(db.session, g.workspace.id),
    )


@bp.get("/queries/new")
@admin_required
def new_query():
    return render_template("pipeline/query_form.html", query=None, values={"active": True,
                           "daily_limit": 50}, errors={})  # fmt: skip


@bp.post("/queries")
@admin_required
def create_query():
    data = _form()
    try:
        query = q.create_query(db.session, g.workspace.id, data, current_user.id)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template(
            "pipeline/query_form.html", query=None, values=data, errors=exc.errors
        ), 422
    _audit("discovery_query.created", "discovery_query", query.id, {"name": query.name})
    db.session.commit()
    flash("Query saved.", "success")
    return redirect(url_for("pipeline.show_query", query_id=query.id))


@bp.get("/queries/<query_id>")
@login_required
def show_query(query_id):
    query = _query(query_id)
    run = latest_run(
        db.session, g.workspace.id, DISCOVER_QUERY, subject=("discovery_query", query.id)
    )
    leads = db.session.execute(
        db.select(Lead)
        .where(Lead.workspace_id == g.workspace.id, Lead.discovery_query_id == query.id)
        .order_by(Lead.lead_score.desc(), Lead.id)
        .limit(25)
    ).scalars()
    return render_template("pipeline/query.html", query=query, run=run, leads=list(leads))


@bp.get("/queries/<query_id>/edit")
@admin_required
def edit_query(query_id):
    query = _query(query_id)
    values = {name: getattr(query, name) for name in q.QUERY_FIELDS}
    values["industries"] = ", ".join(query.industries or [])
    return render_template("pipeline/query_form.html", query=query, values=values, errors={})


@bp.post("/queries/<query_id>")
@admin_required
def update_query(query_id):
    query = _query(query_id)
    data = _form()
    data["active"] = query.active  # pause and resume have their own buttons
    try:
        changed = q.update_query(db.session, query, data)
    except ValidationFailed as exc:
        db.session.rollback()
        query = _query(query_id)
        return render_template(
            "pipeline/query_form.html", query=query, values=data, errors=exc.errors
        ), 422
    if changed:
        _audit("discovery_query.updated", "discovery_query", query.id, {"fields": sorted(changed)})
    db.session.commit()
    flash("Query saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("pipeline.show_query", query_id=query.id))


@bp.post("/queries/<query_id>/pause")
@admin_required
def pause_query(query_id):
    return _set_active(query_id, False)


@bp.post("/queries/<query_id>/resume")
@admin_required
def resume_query(query_id):
    return _set_active(query_id, True)


def _set_active(query_id, active: bool):
    query = _query(query_id)
    if q.set_active(db.session, query, active):
        action = "discovery_query.resumed" if active else "discovery_query.paused"
        _audit(action, "discovery_query", query.id, {"name": query.name})
    db.session.commit()
    flash("Query resumed." if active else "Query paused.", "success")
    return redirect(request.form.get("next") or url_for("pipeline.queries"))


@bp.post("/queries/<query_id>/delete")
@admin_required
def delete_query(query_id):
    query = _query(query_id)
    _audit("discovery_query.deleted", "discovery_query", query.id, {"name": query.name})
    q.delete_query(db.session, query)
    db.session.commit()
    flash("Query deleted.", "success")
    return redirect(url_for("pipeline.queries"))


@bp.post("/queries/<query_id>/run")
@admin_required
def run_query(query_id):
    query = _query(query_id)
    _audit("discovery_query.run", "discovery_query", query.id, {"name": query.name})
    db.session.commit()
    enqueue(
        DISCOVER_QUERY,
        query.id,
        workspace_id=g.workspace.id,
        started_by=current_user.id,
        subject=("discovery_query", query.id),
    )
    return redirect(url_for("pipeline.show_query", query_id=query.id))


# -- signals -------------------------------------------------------------------------


def _signals_page(values=None, errors=None, status=200):
    rows = signal_types(db.session, g.workspace.id)
    db.session.commit()  # a workspace without a table has just been given one
    return render_template(
        "pipeline/signals.html", rows=rows, values=values or {}, errors=errors or {}
    ), status


def _signal_form() -> dict:
    return {k: request.form.get(k, "") for k in ("signal_type", "strength", "description")}


@bp.get("/signals")
@login_required
def signals():
    return _signals_page()


@bp.post("/signals")
@admin_required
def add_signal():
    data = _signal_form()
    try:
        row = add_signal_type(db.session, g.workspace.id, data)
    except ValidationFailed as exc:
        db.session.rollback()
        return _signals_page(data, exc.errors, 422)
    _audit("signal_type.created", "signal_type", row.id, {k: data[k] for k in data})
    db.session.commit()
    flash("Signal type added.", "success")
    return redirect(url_for("pipeline.signals"))


@bp.post("/signals/<signal_id>")
@admin_required
def update_signal(signal_id):
    try:
        row, changed = update_signal_type(db.session, g.workspace.id, signal_id, _signal_form())
    except ValidationFailed as exc:
        db.session.rollback()
        flash(errors_sentence(exc.errors), "error")
        return _signals_page(status=422)
    if changed:
        _audit("signal_type.updated", "signal_type", row.id, changed)
    db.session.commit()
    flash("Signal type saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("pipeline.signals"))


@bp.post("/signals/<signal_id>/delete")
@admin_required
def delete_signal(signal_id):
    row = delete_signal_type(db.session, g.workspace.id, signal_id)
    _audit("signal_type.deleted", "signal_type", row.id, {"signal_type": row.signal_type})
    db.session.commit()
    flash("Signal type deleted.", "success")
    return redirect(url_for("pipeline.signals"))


# -- discover ------------------------------------------------------------------------


def _discover_data() -> dict:
    return {k: request.form.get(k, "") for k in ("query", "location", "industry", "tech_stack")}


@bp.get("/discover")
@login_required
def discover_page():
    return render_template("pipeline/discover.html", values={}, errors={}, result=None)


@bp.post("/discover")
@login_required
def discover_search():
    """Search and show the results; with `save`, store the ticked companies.

    Anyone may search (it spends no credits); saving is an admin's, like every other
    trigger of the pipeline: saved leads are enriched, delivered and uploaded, and each
    costs a credit.
    """
    from webapp.providers.config import ProviderNotConfigured
    from webapp.providers.http import ProviderError

    data = _discover_data()
    saving = "save" in request.form
    if saving and not g.membership.is_admin:
        abort(403)
    try:
        wanted = clean_request(data)
        companies = search(db.session, g.workspace.id, wanted)
        chosen = set(request.form.getlist("domain")) if saving else None
        result = discover(db.session, g.workspace.id, wanted, saving, companies, chosen)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template(
            "pipeline/discover.html", values=data, errors=exc.errors, result=None
        ), 422
    except (ProviderError, ProviderNotConfigured) as exc:
        db.session.rollback()
        flash(f"The intent provider did not answer: {exc}", "error")
        return render_template("pipeline/discover.html", values=data, errors={}, result=None), 502
    if saving:
        _audit(
            "pipeline.discover_saved",
            "discovery_search",
            None,
            {"search_id": result.search_id, "saved": result.saved, "duplicates": result.duplicates},
        )
    db.session.commit()
    if saving:
        start_enrichment_now(result.saved_lead_ids, g.workspace.id, current_user.id)
        flash(
            result.message or f"{result.saved} saved, {result.duplicates} already there.", "success"
        )
    return render_template("pipeline/discover.html", values=data, errors={}, result=result)


# -- intent override -----------------------------------------------------------------


@bp.post("/leads/<lead_id>/intent", endpoint="override_intent")
@login_required
def override_intent_view(lead_id):
    lead = get_scoped_or_404(Lead, lead_id)
    try:
        changed = override_intent(
            db.session, lead, request.form.get("intent"), current_user.id, client_ip()
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash(errors_sentence(exc.errors), "error")
        return redirect(url_for("lead.show", lead_id=lead.id) + "#lead-intent")
    db.session.commit()
    flash("Intent saved." if changed else "Intent unchanged.", "success")
    return redirect(url_for("lead.show", lead_id=lead.id) + "#lead-intent")
