"""Lists: the Lists page, a list's page with its members, and the changes made there.

Everyone makes, renames, describes and tags lists and changes their members; archiving
and deleting are for admins. Another workspace's list is a 404 on every route.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block

from webapp.auth_session import admin_required
from webapp.blueprints.my_leads_view import (
    is_fragment_request,
    lead_filter_from,
    save_column_choice,
)
from webapp.data_tables import MEMBER_COLUMNS
from webapp.extensions import db
from webapp.models import LeadList, Membership, User
from webapp.models.leads import INTENTS, STATUSES
from webapp.navigation import endpoint_exists
from webapp.net import client_ip
from webapp.services.accounts.preferences import table_columns
from webapp.services.accounts.users import workspace_members
from webapp.services.audit import record_audit
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.leads.filters import PAGE_SIZES, invalid_criteria
from webapp.services.lists import lists as list_service
from webapp.services.lists import members as member_service
from webapp.services.lists.member_page import member_filter, page_of_members, selected_ids
from webapp.templating import errors_sentence, humanize, isolated
from webapp.tenancy import get_scoped_or_404, parse_uuid

bp = Blueprint("lists", __name__, url_prefix="/lists")
MEMBER_ACTIONS = (("copy", "Copy to a list"), ("move", "Move to a list"), ("remove", "Remove"))


def _list(list_id) -> LeadList:
    return get_scoped_or_404(LeadList, list_id)


def _audit(action: str, lead_list: LeadList, details: dict | None = None) -> None:
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        action,
        "list",
        lead_list.id,
        {"name": lead_list.name, **(details or {})},
        client_ip(),
    )


def _refused(exc: ValidationFailed, back: str):
    db.session.rollback()
    flash(f"Nothing changed. {errors_sentence(exc.errors)}.", "error")
    return redirect(back)


@bp.get("")
@login_required
def index():
    archived = request.args.get("archived") == "1"
    q = request.args.get("q", "")
    return render_template(
        "lists/index.html",
        lists=list_service.lists_overview(db.session, g.workspace.id, q, archived),
        q=q,
        archived=archived,
    )


@bp.post("")
@login_required
def create():
    form = request.form
    try:
        lead_list = list_service.create_list(
            db.session,
            g.workspace.id,
            form.get("name", ""),
            form.get("description"),
            form.get("tags"),
            current_user.id,
        )
    except ValidationFailed as exc:
        return _refused(exc, url_for("lists.index"))
    _audit("list.created", lead_list, {"type": "static"})
    db.session.commit()
    flash(f"List {isolated(lead_list.name)} created.", "success")
    return redirect(url_for("lists.show", list_id=lead_list.id))


@bp.post("/from-view")
@login_required
def save_view():
    """My Leads' "Save this view as a list": a dynamic list of the URL's filter."""
    lead_filter = lead_filter_from(request.args)
    try:
        if invalid := invalid_criteria(request.args):  # dropped, they would widen the list
            raise ValidationFailed(invalid)
        lead_list = list_service.save_view_as_list(
            db.session,
            g.workspace.id,
            lead_filter,
            request.form.get("name", ""),
            current_user.id,
            request.form.get("description"),
        )
    except ValidationFailed as exc:
        return _refused(exc, url_for("leads.index", **lead_filter.to_args()))
    _audit("list.created", lead_list, {"type": "dynamic", "filter": lead_list.criteria})
    db.session.commit()
    flash(f"Saved this view as the list {isolated(lead_list.name)}.", "success")
    return redirect(url_for("lists.show", list_id=lead_list.id))


def _show_context(lead_list: LeadList, full_page: bool) -> dict:
    lead_filter = member_filter(request.args, lead_list)
    page = page_of_members(
        db.session, lead_list, lead_filter, current_user.id, g.workspace.timezone or "UTC"
    )
    columns = table_columns(current_user, "list_members")
    if lead_list.list_type == "dynamic":  # computed members: nobody added them
        columns = [c for c in columns if c.key not in ("added", "added_by", "note")]
    context = {
        "lead_list": lead_list,
        "f": lead_filter,
        "page": page,
        "columns": columns,
        "all_columns": MEMBER_COLUMNS,
        "page_sizes": PAGE_SIZES,
        "statuses": STATUSES,
        "intents": INTENTS,
        "filtered": bool({k: v for k, v in lead_filter.criteria().items() if k != "list"}),
        "members_url": _url_without_list("lists.show", lead_list),
        "bulk_url": _url_without_list("lists.bulk", lead_list),
        "can_manage": g.membership.is_admin,
    }
    if full_page:
        context.update(
            campaigns=list_service.list_campaigns(db.session, lead_list),
            campaign_links=endpoint_exists("campaigns.show"),
            targets=[
                t
                for t in list_service.workspace_lists(db.session, g.workspace.id)
                if t.id != lead_list.id
            ],
            members=workspace_members(db.session, g.workspace.id, active_only=True),
            creator=db.session.get(User, lead_list.created_by_id)
            if lead_list.created_by_id
            else None,
            criteria_url=url_for("leads.index", **_criteria_args(lead_list))
            if lead_list.list_type == "dynamic"
            else None,
            criteria=_criteria_parts(lead_list),
            actions=MEMBER_ACTIONS if lead_list.list_type == "static" else MEMBER_ACTIONS[:1],
        )
    return context


def _url_without_list(endpoint: str, lead_list: LeadList):
    """URLs of the list page's states: the filter's `list` is the page's own list."""

    def build(**args):
        args.pop("list", None)
        return url_for(endpoint, list_id=lead_list.id, **args)

    return build


CRITERIA_LABELS = {
    "q": "Search",
    "status": "Status",
    "intent": "Intent",
    "source": "Source",
    "type": "Type",
    "owner": "Owner",
    "tag": "Tag",
    "score_min": "Score from",
    "score_max": "Score to",
    "created_from": "Created from",
    "created_to": "Created to",
    "list": "List",
}


def _criteria_parts(lead_list: LeadList) -> list[tuple[str, str]]:
    """A dynamic list's criteria as (label, value) pairs a person reads."""
    if lead_list.list_type != "dynamic":
        return []
    parts = []
    for key, value in (lead_list.criteria or {}).items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            text = str(one)
            if key in ("status", "intent", "source", "type"):
                text = humanize(text)
            elif key == "owner":
                text = _owner_text(lead_list, text)
            elif key == "list":
                other = db.session.execute(
                    db.select(LeadList.name).where(
                        LeadList.id == parse_uuid(text), LeadList.workspace_id == g.workspace.id
                    )
                ).scalar()
                text = other or "a deleted list"
            parts.append((CRITERIA_LABELS.get(key, humanize(key)), text))
    return parts


def _owner_text(lead_list: LeadList, owner: str) -> str:
    if owner == "unassigned":
        return "Unassigned"
    user_id = lead_list.created_by_id if owner == "me" else parse_uuid(owner)
    user = None
    if user_id:  # only a member of this workspace is named (criteria are free text)
        user = db.session.execute(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(User.id == user_id, Membership.workspace_id == g.workspace.id)
        ).scalar()
    name = user.display_name if user else "someone no longer here"
    return f"{name} (who saved the list)" if owner == "me" else name


def _criteria_args(lead_list: LeadList) -> dict:
    """My Leads' URL arguments for a dynamic list's criteria (everyone's, unless saved)."""
    args = dict(lead_list.criteria or {})
    args.setdefault("owner", "any")
    if args["owner"] == "me":  # the saver's leads, whoever opens them
        args["owner"] = str(lead_list.created_by_id) if lead_list.created_by_id else "any"
    return args


@bp.get("/<list_id>")
@login_required
def show(list_id):
    lead_list = _list(list_id)
    fragment = is_fragment_request()
    context = _show_context(lead_list, full_page=not fragment)
    if fragment:
        response = make_response(render_block("lists/show.html", "results", **context))
    else:
        response = make_response(render_template("lists/show.html", **context))
    # The fragment and the full page share a URL: Back must not show a cached fragment.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    return response


@bp.post("/<list_id>/columns")
@login_required
def columns(list_id):
    lead_list = _list(list_id)
    save_column_choice("list_members")
    if not is_fragment_request():
        return redirect(url_for("lists.show", list_id=lead_list.id))
    return render_block("lists/show.html", "results", **_show_context(lead_list, False))


@bp.post("/<list_id>/edit")
@login_required
def edit(list_id):
    lead_list = _list(list_id)
    back = url_for("lists.show", list_id=lead_list.id)
    form = request.form
    try:
        changed = list_service.update_list(
            db.session, lead_list, form.get("name"), form.get("description"), form.get("tags")
        )
    except ValidationFailed as exc:
        return _refused(exc, back)
    if changed:
        _audit("list.updated", lead_list, {"changed": changed})
    db.session.commit()
    flash("List saved." if changed else "Nothing to change.", "success")
    return redirect(back)


@bp.post("/<list_id>/archive")
@admin_required
def archive(list_id):
    lead_list = _list(list_id)
    archived = request.form.get("archived", "1") == "1"
    if list_service.set_archived(lead_list, archived):
        _audit("list.archived" if archived else "list.unarchived", lead_list)
    db.session.commit()
    state = "archived" if archived else "back from the archive"
    flash(f"List {isolated(lead_list.name)} is {state}.", "success")
    return redirect(url_for("lists.show", list_id=lead_list.id))


@bp.post("/<list_id>/delete")
@admin_required
def delete(list_id):
    lead_list = _list(list_id)
    name = lead_list.name
    count = list_service.count_members(db.session, lead_list)
    _audit("list.deleted", lead_list, {"type": lead_list.list_type, "count": count})
    list_service.delete_list(db.session, lead_list)
    db.session.commit()
    flash(f"List {isolated(name)} deleted; its leads are still here.", "success")
    return redirect(url_for("lists.index"))


@bp.post("/<list_id>/freeze")
@login_required
def freeze(list_id):
    lead_list = _list(list_id)
    back = url_for("lists.show", list_id=lead_list.id)
    try:
        frozen = list_service.freeze_list(
            db.session,
            lead_list,
            current_user.id,
            request.form.get("name") or None,
            g.workspace.timezone or "UTC",
        )
    except ValidationFailed as exc:
        return _refused(exc, back)
    _audit(
        "list.created",
        frozen,
        {"type": "static", "frozen_from": str(lead_list.id), "count": frozen.lead_count},
    )
    db.session.commit()
    flash(
        f"Froze {isolated(lead_list.name)}: {frozen.lead_count:,} leads in the static list "
        f"{isolated(frozen.name)}.",
        "success",
    )
    return redirect(url_for("lists.show", list_id=frozen.id))


def _target(lead_list: LeadList) -> LeadList:
    """The list a copy or move goes to: one chosen, or a new one named in the form."""
    form = request.form
    name = (form.get("target_name") or "").strip()
    if name:
        target = list_service.create_list(
            db.session, g.workspace.id, name, None, None, current_user.id
        )
        _audit("list.created", target, {"type": "static"})
        return target
    target_id = parse_uuid(form.get("target_id"))
    target = (
        db.session.execute(
            db.select(LeadList).where(
                LeadList.id == target_id, LeadList.workspace_id == g.workspace.id
            )
        ).scalar()
        if target_id
        else None
    )
    if target is None:
        raise ValidationFailed({"target_id": "choose a list or name a new one"})
    return member_service.static_list(target, "target_id")


@bp.post("/<list_id>/members")
@login_required
def bulk(list_id):
    """Remove, copy or move the selected members (or all matching the page's filter)."""
    lead_list = _list(list_id)
    lead_filter = member_filter(request.args, lead_list)
    back = url_for("lists.show", list_id=lead_list.id, **_page_args(lead_filter))
    form = request.form
    action = form.get("action", "")
    ids = None
    if form.get("scope") != "all":
        ids = [i for i in (parse_uuid(v) for v in form.getlist("lead_id")) if i is not None]
        if not ids:
            return _refused(ValidationFailed({"selection": "select at least one lead"}), back)
    chosen = selected_ids(
        lead_list, lead_filter, current_user.id, g.workspace.timezone or "UTC", ids
    )
    try:
        if action == "remove":
            change = member_service.remove_members(db.session, lead_list, chosen, current_user.id)
            _audit("list.members_removed", lead_list, _change_details(change))
            message = f"Removed {change.count:,} lead{'' if change.count == 1 else 's'}."
        elif action in ("copy", "move"):
            target = _target(lead_list)
            do = member_service.copy_members if action == "copy" else member_service.move_members
            change = do(db.session, lead_list, target, chosen, current_user.id)
            details = {**_change_details(change), "to_list": target.name}
            _audit(f"list.members_{'copied' if action == 'copy' else 'moved'}", lead_list, details)
            verb = "Copied" if action == "copy" else "Moved"
            message = (
                f"{verb} {change.count:,} lead{'' if change.count == 1 else 's'} "
                f"to {isolated(target.name)}."
            )
        else:
            raise ValidationFailed({"action": "choose an action"})
    except ValidationFailed as exc:
        return _refused(exc, back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _page_args(lead_filter) -> dict:
    return {k: v for k, v in lead_filter.to_args().items() if k != "list"}


def _change_details(change) -> dict:
    return {"count": change.count, "lead_ids": [str(i) for i in change.lead_ids]}


@bp.get("/<list_id>/members/<lead_id>/note")
@login_required
def note(list_id, lead_id):
    """A member's note, or (?edit=1) its editor: swapped into the row's cell."""
    lead_list = _list(list_id)
    member = _member_or_404(lead_list, lead_id)
    template = "lists/_note_edit.html" if request.args.get("edit") else "lists/_note.html"
    return render_template(template, lead_list=lead_list, lead_id=member.lead_id, note=member.notes)


@bp.post("/<list_id>/members/<lead_id>/note")
@login_required
def save_note(list_id, lead_id):
    lead_list = _list(list_id)
    _member_or_404(lead_list, lead_id)
    try:
        member = member_service.set_member_note(
            db.session, lead_list, lead_id, request.form.get("note")
        )
    except ValidationFailed as exc:
        db.session.rollback()
        member = _member_or_404(lead_list, lead_id)
        error = errors_sentence(exc.errors)
        if request.headers.get("HX-Request"):
            html = render_template(
                "lists/_note_edit.html",
                lead_list=lead_list,
                lead_id=member.lead_id,
                note=member.notes,
                error=error,
                typed=request.form.get("note", ""),
            )
            return html, 422
        flash(f"Note not saved. {error}.", "error")
        return redirect(url_for("lists.show", list_id=lead_list.id))
    db.session.commit()
    if request.headers.get("HX-Request"):
        return render_template(
            "lists/_note.html", lead_list=lead_list, lead_id=member.lead_id, note=member.notes
        )
    flash("Note saved.", "success")
    return redirect(url_for("lists.show", list_id=lead_list.id))


def _member_or_404(lead_list: LeadList, lead_id):
    if lead_list.list_type != "static":
        abort(404)
    try:
        return member_service.get_member(db.session, lead_list, lead_id)
    except NotFound:  # not a member of this list
        abort(404)
