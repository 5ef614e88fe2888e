"""Possible duplicates, merging two leads, and undoing a merge."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.duplicates import SCAN
from webapp.net import client_ip
from webapp.services.errors import ValidationFailed
from webapp.services.jobs.runs import latest_run
from webapp.services.leads.duplicates import pairs_from_result
from webapp.services.leads.merge import merge_leads
from webapp.services.leads.merge_undo import undo_merge
from webapp.services.paging import page_number
from webapp.tenancy import parse_uuid

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")
PER_PAGE = 25


@bp.get("")
@login_required
def index():
    latest = latest_run(db.session, g.workspace.id, SCAN)
    if latest is None:  # the first visit: scan now (in the background with Redis)
        latest = _start_scan()
    scanned = (
        latest
        if latest.status == "succeeded"
        else latest_run(db.session, g.workspace.id, SCAN, status="succeeded")
    )
    pairs = pairs_from_result(db.session, g.workspace.id, scanned.result if scanned else None)
    page = page_number(request.args.get("page", 1), len(pairs), PER_PAGE)
    shown = pairs[(page - 1) * PER_PAGE : page * PER_PAGE]
    return render_template(
        "duplicates/index.html",
        pairs=shown,
        total=len(pairs),
        page=page,
        per_page=PER_PAGE,
        run=latest if _may_watch(latest) else None,
        running=latest.active,
        scanned=scanned,
    )


@bp.post("/scan")
@login_required
def scan():
    latest = latest_run(db.session, g.workspace.id, SCAN)
    if latest is not None and latest.active:
        flash("A scan is already running.", "success")
    else:
        _start_scan()
    return redirect(url_for("duplicates.index"))


def _start_scan():
    return enqueue(SCAN, g.workspace.id, workspace_id=g.workspace.id, started_by=current_user.id)


def _may_watch(run) -> bool:
    """The widget polls the Jobs page's URLs, which show a rep only their own runs."""
    return g.membership.is_admin or run.started_by == current_user.id


@bp.post("/merge")
@login_required
def merge():
    keep_id, other_id = (
        parse_uuid(request.form.get("keep_id")),
        parse_uuid(request.form.get("other_id")),
    )
    if keep_id is None or other_id is None:
        abort(404)
    try:
        merged = merge_leads(
            db.session, g.workspace.id, keep_id, other_id, current_user.id, client_ip()
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash("Cannot merge: " + "; ".join(exc.errors.values()) + ".", "error")
        return redirect(url_for("duplicates.index"))
    db.session.commit()
    flash("Leads merged. You can undo this from the timeline.", "success")
    return redirect(url_for("lead.show", lead_id=merged.kept_lead_id))


@login_required
def undo_merge_view(merge_id):
    wanted = parse_uuid(merge_id)
    if wanted is None:
        abort(404)
    restored = undo_merge(db.session, g.workspace.id, wanted, current_user.id, client_ip())
    db.session.commit()
    flash(f"Merge undone: {restored.display_name} is back.", "success")
    return redirect(url_for("lead.show", lead_id=restored.id))


# The lead page links to this endpoint by name.
bp.add_url_rule(
    "/merges/<merge_id>/undo", endpoint="undo_merge", view_func=undo_merge_view, methods=["POST"]
)
