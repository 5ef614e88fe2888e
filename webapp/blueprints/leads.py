"""My Leads: search, filter, sort, bulk actions, export, and the new-lead form."""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from webapp.blueprints.my_leads_view import (
    is_fragment_request,
    lead_filter_from,
    page_context,
    render_view,
    request_filter,
    save_column_choice,
)
from webapp.data_tables import LEAD_COLUMNS
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.net import client_ip
from webapp.services.accounts.preferences import table_columns
from webapp.services.audit import record_audit
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.jobs.runs import Viewer, get_run
from webapp.services.leads import my_leads
from webapp.services.leads.bulk import BulkRequest, check_request, checked_size, run_bulk
from webapp.services.leads.export import export_rows, select_for_export
from webapp.services.leads.filters import PAGE_SIZES, LeadFilter
from webapp.templating import errors_sentence
from webapp.tenancy import parse_uuid

bp = Blueprint("leads", __name__, url_prefix="/leads")


def _list_context(lead_filter: LeadFilter, full_page: bool) -> dict:
    page = my_leads.page_of_leads(
        db.session, lead_filter, g.workspace.id, current_user.id, g.workspace.timezone
    )
    context = {
        **page_context(lead_filter, "leads.index", "table", full_page),
        "leads": page.leads,
        "total": page.total,
        "capped": page.capped,
        "has_next": page.has_next,
        "max_rows": my_leads.MAX_ROWS,
        "page_sizes": PAGE_SIZES,
        "columns": (columns := table_columns(current_user, "leads")),
        "column_keys": [c.key for c in columns],  # the row loop reads no attribute per cell
        "all_columns": LEAD_COLUMNS,
        "leads_url": partial(url_for, "leads.index"),
    }
    if full_page:  # the bulk job this page started, outside the results fragment
        context["run"] = _started_run()
    return context


def _started_run():
    """The bulk job this page started (`?run=`), shown in place until it has ended."""
    try:
        return get_run(
            db.session, Viewer.of(g.workspace, current_user, g.membership), request.args.get("run")
        )
    except NotFound:
        return None


@bp.get("")
@login_required
def index():
    lead_filter = request_filter()
    context = _list_context(lead_filter, full_page=not is_fragment_request())
    return render_view("leads/index.html", context, "leads.index", lead_filter)


@bp.post("/columns")
@login_required
def columns():
    """The column picker: remember the user's columns, then redraw the results."""
    save_column_choice("leads")
    lead_filter = lead_filter_from(request.form)
    if not is_fragment_request():
        return redirect(url_for("leads.index", **lead_filter.to_args()))
    context = _list_context(lead_filter, full_page=False)
    response = render_view("leads/index.html", context, "leads.index", lead_filter)
    if request.form.get("reset"):  # the picker itself shows the old choice: load afresh
        response.headers["HX-Refresh"] = "true"
    return response


def _bulk_request(lead_filter: LeadFilter) -> BulkRequest:
    form = request.form
    if form.get("scope") == "all":
        ids = None
    else:
        ids = [parse_uuid(v) for v in form.getlist("lead_id")]
        ids = [i for i in ids if i is not None]
    return BulkRequest(
        action=form.get("action", ""),
        lead_ids=ids,
        lead_filter=lead_filter,
        status=form.get("status"),
        note=form.get("note"),
        assigned_to=form.get("assigned_to"),
        tags=form.get("tags"),
        list_id=form.get("list_id"),
        list_name=form.get("list_name"),
    )


@bp.post("/bulk")
@login_required
def bulk():
    lead_filter = request_filter()
    back = url_for("leads.index", **lead_filter.to_args())
    request_ = _bulk_request(lead_filter)
    try:
        check_request(request_, g.membership.is_admin)
        if request_.lead_ids is None and _more_than_threshold(request_):
            run = _bulk_in_background(request_)
            return redirect(url_for("leads.index", **lead_filter.to_args(run=str(run.id))))
        changed = run_bulk(
            db.session,
            g.workspace.id,
            request_,
            current_user.id,
            g.membership.is_admin,
            g.workspace.timezone,
            client_ip(),
        )
    except PermissionError:
        db.session.rollback()
        abort(403)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(f"Nothing changed. {errors_sentence(exc.errors)}.", "error")
        return redirect(back)
    db.session.commit()
    flash(f"Done: {changed} lead{'' if changed == 1 else 's'} changed.", "success")
    return redirect(back)


def _more_than_threshold(request_: BulkRequest) -> bool:
    """Whether all matching is work for a job; ValidationFailed when more than MAX_BULK."""
    size = checked_size(db.session, g.workspace.id, request_, current_user.id, g.workspace.timezone)
    return size > current_app.config["BULK_JOB_THRESHOLD"]


def _bulk_in_background(request_: BulkRequest):
    """Many leads: a job in batches, with a progress bar on My Leads and on the Jobs page."""
    return enqueue(
        "leads.bulk",
        g.workspace.id,
        current_user.id,
        g.membership.is_admin,
        g.workspace.timezone,
        client_ip(),
        request_.to_job(),
        workspace_id=g.workspace.id,
        started_by=current_user.id,
    )


@bp.get("/export.csv")
@login_required
def export():
    lead_filter = request_filter()
    everything = request.args.get("scope") == "all"
    if everything and not g.membership.is_admin:
        abort(403, "Only admins export more than the current page.")
    all_fields = request.args.get("columns") == "all"
    chosen = select_for_export(
        db.session, lead_filter, g.workspace.id, current_user.id, g.workspace.timezone, everything
    )
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "leads.exported",
        "lead",
        None,
        {
            "count": chosen.count,
            "filter": lead_filter.criteria(),
            "scope": chosen.scope,
            "columns": "all" if all_fields else "visible",
        },
        client_ip(),
    )
    db.session.commit()
    filename = f"leads-{g.workspace.slug}.csv"
    return Response(
        stream_with_context(export_rows(db.session, chosen.query, all_fields)),
        mimetype="text/csv",  # Werkzeug adds "; charset=utf-8" to text types
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
