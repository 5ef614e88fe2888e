"""My Leads: search, filter, sort, bulk actions, export, and the new-lead form."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block

from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.net import client_ip
from webapp.services.accounts.users import workspace_members
from webapp.services.audit import record_audit
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.jobs.runs import Viewer, get_run
from webapp.services.leads import my_leads
from webapp.services.leads.bulk import BulkRequest, check_request, count_up_to, run_bulk
from webapp.services.leads.export import export_rows, select_for_export
from webapp.services.leads.filters import PAGE_SIZES, LeadFilter
from webapp.services.leads.tags import workspace_tag_names
from webapp.services.lists.lists import workspace_lists
from webapp.templating import errors_sentence
from webapp.tenancy import parse_uuid

bp = Blueprint("leads", __name__, url_prefix="/leads")


def _filter() -> LeadFilter:
    return LeadFilter.from_args(request.args)


def _list_context(lead_filter: LeadFilter, full_page: bool) -> dict:
    page = my_leads.page_of_leads(
        db.session, lead_filter, g.workspace.id, current_user.id, g.workspace.timezone
    )
    context = {
        "leads": page.leads,
        "total": page.total,
        "capped": page.capped,
        "has_next": page.has_next,
        "max_rows": my_leads.MAX_ROWS,
        "f": lead_filter,
        "page_sizes": PAGE_SIZES,
    }
    if full_page:  # the filter form and the bulk controls, outside the results fragment
        context["members"] = workspace_members(db.session, g.workspace.id, active_only=True)
        context["lists"] = workspace_lists(db.session, g.workspace.id)
        context["tags"] = workspace_tag_names(db.session, g.workspace.id)
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
    lead_filter = _filter()
    fragment = bool(
        request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    )
    context = _list_context(lead_filter, full_page=not fragment)
    if fragment:
        response = make_response(render_block("leads/index.html", "results", **context))
        # The address bar gets the tidy URL of this state (empty form fields left out).
        response.headers["HX-Push-Url"] = url_for("leads.index", **lead_filter.to_args())
    else:
        response = make_response(render_template("leads/index.html", **context))
    # The fragment and the full page share a URL: a Back from another page must fetch
    # the page again, not show the browser's cached fragment on its own.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
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
    lead_filter = _filter()
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
    except NotFound:
        db.session.rollback()
        abort(404)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(f"Nothing changed. {errors_sentence(exc.errors)}.", "error")
        return redirect(back)
    db.session.commit()
    flash(f"Done: {changed} lead{'' if changed == 1 else 's'} changed.", "success")
    return redirect(back)


def _more_than_threshold(request_: BulkRequest) -> bool:
    threshold = current_app.config["BULK_JOB_THRESHOLD"]
    return (
        count_up_to(
            db.session,
            g.workspace.id,
            request_,
            current_user.id,
            g.workspace.timezone,
            threshold + 1,
        )
        > threshold
    )


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
    lead_filter = _filter()
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
