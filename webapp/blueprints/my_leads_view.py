"""My Leads' views, shared by the table (leads) and the board (leads_board).

The filter a request asks for (a rep opens on their own leads), the view it is
("My Leads", "Unassigned leads", "All leads"), what the page around the results
needs, and the answer: the full page, or for htmx the results and the head.
"""

from __future__ import annotations

import uuid

from flask import abort, g, make_response, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import LeadList
from webapp.models.leads import SOURCES, STATUSES
from webapp.services.accounts.preferences import reset_table_columns, save_table_columns
from webapp.services.accounts.users import workspace_members
from webapp.services.errors import ValidationFailed
from webapp.services.leads.filters import LeadFilter
from webapp.services.leads.tags import workspace_tag_names
from webapp.services.lists.lists import filter_lists, workspace_lists
from webapp.templating import errors_sentence

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


def request_filter() -> LeadFilter:
    return lead_filter_from(request.args)


def view_of(lead_filter: LeadFilter, endpoint: str, layout: str) -> dict:
    owner = lead_filter.owner
    key = {"me": "mine", "unassigned": "unassigned", None: "all", "any": "all"}.get(owner, "other")
    # Everyone's leads are an admin's default (no owner in the URL) but a rep's choice.
    any_owner = None if g.membership.is_admin else "any"
    return {
        "key": key,
        "title": VIEW_TITLES.get(key, "Leads"),
        "any_owner": any_owner or "",
        "choices": [(k, label, any_owner if o == "any" else o) for k, label, o in VIEWS],
        "endpoint": endpoint,
        "layout": layout,
    }


def is_fragment_request() -> bool:
    return bool(
        request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    )


def save_column_choice(table: str) -> None:
    """The column picker's post: the user's columns of `table` (or, reset, the defaults),
    committed; a column that is not the table's is a 400."""
    try:
        if request.form.get("reset"):
            reset_table_columns(current_user, table)
        else:
            save_table_columns(current_user, table, request.form.getlist("columns"))
    except ValidationFailed as exc:
        db.session.rollback()
        abort(400, errors_sentence(exc.errors))
    db.session.commit()


def page_context(lead_filter: LeadFilter, endpoint: str, layout: str, full_page: bool) -> dict:
    """What My Leads' page around the results needs (the filter bar, views, bulk bar)."""
    list_label = _list_label(lead_filter)
    context = {
        "list_label": list_label,
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
        context["filter_lists"] = filter_lists(db.session, g.workspace.id)
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


def _list_label(lead_filter: LeadFilter) -> str | None:
    """The name of the list the filter names; a list not of this workspace is dropped."""
    if not lead_filter.list_id:
        return None
    name = db.session.execute(
        select(LeadList.name).where(
            LeadList.id == uuid.UUID(lead_filter.list_id), LeadList.workspace_id == g.workspace.id
        )
    ).scalar()
    if name is None:
        lead_filter.list_id = None  # ignored, as the query ignores it
    return name


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
