"""My Leads: search, filter, sort, bulk actions, export, and the new-lead form."""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
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

from webapp.data_tables import LEAD_COLUMNS
from webapp.extensions import db
from webapp.models.leads import SOURCES, STATUSES
from webapp.net import client_ip
from webapp.services import lead_pages
from webapp.services.accounts import workspace_members
from webapp.services.audit import record_audit
from webapp.services.bulk import BulkRequest, run_bulk
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.export import export_rows, select_for_export
from webapp.services.lead_filters import PAGE_SIZES, LeadFilter
from webapp.services.lead_lists import workspace_lists
from webapp.services.preferences import reset_table_columns, save_table_columns, table_columns
from webapp.services.tags import workspace_tag_names
from webapp.templating import errors_sentence
from webapp.tenancy import parse_uuid

bp = Blueprint("leads", __name__, url_prefix="/leads")


# My Leads' one-click views: (key, label, owner filter). "any" says everyone's explicitly.
VIEWS = (
    ("mine", "My leads", "me"),
    ("unassigned", "Unassigned", "unassigned"),
    ("all", "All leads", "any"),
)
VIEW_TITLES = {"mine": "My Leads", "unassigned": "Unassigned leads", "all": "All leads"}
BULK_ACTIONS = (
    ("status", "Set status"),
    ("assign", "Assign owner"),
    ("add_tags", "Add tags"),
    ("remove_tags", "Remove tags"),
    ("add_to_list", "Add to a list"),
    ("archive", "Archive"),
)


def lead_filter_from(args) -> LeadFilter:
    """The view the args ask for; a rep with no owner in the URL opens on their own leads."""
    return LeadFilter.from_args(args, default_owner=None if g.membership.is_admin else "me")


def _filter() -> LeadFilter:
    return lead_filter_from(request.args)


def view_of(lead_filter: LeadFilter, endpoint: str, layout: str) -> dict:
    owner = lead_filter.owner
    key = {"me": "mine", "unassigned": "unassigned", None: "all", "any": "all"}.get(owner, "other")
    return {
        "key": key,
        "title": VIEW_TITLES.get(key, "Leads"),
        "choices": VIEWS,
        "endpoint": endpoint,
        "layout": layout,
    }


def is_fragment_request() -> bool:
    return bool(
        request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    )


def page_context(lead_filter: LeadFilter, endpoint: str, layout: str, full_page: bool) -> dict:
    """What My Leads' page around the results needs (the filter bar, views, bulk bar)."""
    context = {
        "f": lead_filter,
        "view": view_of(lead_filter, endpoint, layout),
        "statuses": STATUSES,
        "sources": SOURCES,
        "owner_label": None,
        # Filtered beyond the view: the owner of "My leads", "Unassigned", "All" is the view's.
        "filtered": any(
            key != "owner" or value not in ("me", "unassigned", "any")
            for key, value in lead_filter.criteria().items()
        ),
    }
    if full_page:  # the filter form and the bulk controls, outside the results fragment
        members = workspace_members(db.session, g.workspace.id, active_only=True)
        context["members"] = members
        context["lists"] = workspace_lists(db.session, g.workspace.id)
        context["tags"] = workspace_tag_names(db.session, g.workspace.id)
        context["bulk_actions"] = BULK_ACTIONS + (
            (("delete", "Delete"),) if g.membership.is_admin else ()
        )
    if context["view"]["key"] == "other":  # a chip names the chosen owner
        members = context.get("members") or workspace_members(db.session, g.workspace.id)
        context["owner_label"] = next(
            (m.user.display_name for m in members if str(m.user_id) == lead_filter.owner),
            "someone else",
        )
    return context


def _list_context(lead_filter: LeadFilter, full_page: bool) -> dict:
    page = lead_pages.page_of_leads(
        db.session, lead_filter, g.workspace.id, current_user.id, g.workspace.timezone
    )
    return {
        **page_context(lead_filter, "leads.index", "table", full_page),
        "leads": page.leads,
        "total": page.total,
        "capped": page.capped,
        "has_next": page.has_next,
        "max_rows": lead_pages.MAX_ROWS,
        "page_sizes": PAGE_SIZES,
        "columns": table_columns(current_user, "leads"),
        "all_columns": LEAD_COLUMNS,
        "leads_url": partial(url_for, "leads.index"),
    }


def render_view(template: str, context: dict, endpoint: str, lead_filter: LeadFilter):
    """The full page, or for htmx the results block and the view's head (out of band)."""
    if is_fragment_request():
        body = render_block(template, "view_head", oob=True, **context) + render_block(
            template, "results", **context
        )
        response = make_response(body)
        # The address bar gets the tidy URL of this state (empty form fields left out).
        response.headers["HX-Push-Url"] = url_for(endpoint, **lead_filter.to_args())
    else:
        response = make_response(render_template(template, **context))
    # The fragment and the full page share a URL: a Back from another page must fetch
    # the page again, not show the browser's cached fragment on its own.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    return response


@bp.get("")
@login_required
def index():
    lead_filter = _filter()
    context = _list_context(lead_filter, full_page=not is_fragment_request())
    return render_view("leads/index.html", context, "leads.index", lead_filter)


@bp.post("/columns")
@login_required
def columns():
    """The column picker: remember the user's columns, then redraw the results."""
    try:
        if request.form.get("reset"):
            reset_table_columns(current_user, "leads")
        else:
            save_table_columns(current_user, "leads", request.form.getlist("columns"))
    except ValidationFailed as exc:
        db.session.rollback()
        abort(400, errors_sentence(exc.errors))
    db.session.commit()
    lead_filter = lead_filter_from(request.form)
    if not is_fragment_request():
        return redirect(url_for("leads.index", **lead_filter.to_args()))
    context = _list_context(lead_filter, full_page=False)
    return render_view("leads/index.html", context, "leads.index", lead_filter)


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
    try:
        changed = run_bulk(
            db.session,
            g.workspace.id,
            _bulk_request(lead_filter),
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
