"""The Jobs page: background runs with live progress, their errors, Retry and Cancel.

Admins see the workspace's runs, reps the runs they started. The progress widget
(templates/jobs/_progress.html) is the one partial any page that starts work shows
in place; it polls its own URL while the run is active and stops when it ends.
"""

from __future__ import annotations

from urllib.parse import urlsplit

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

from webapp.extensions import db
from webapp.jobs import cancel, retry
from webapp.jobs.registry import job_label
from webapp.models.jobs import RUN_STATUSES
from webapp.net import safe_next
from webapp.services.accounts.users import workspace_members
from webapp.services.jobs.runs import Viewer, child_runs, get_run, kinds_seen, list_runs

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
bp.add_app_template_filter(job_label, "job_label")


def _viewer() -> Viewer:
    return Viewer.of(g.workspace, current_user, g.membership)


def _run_or_404(run_id):
    """The viewer's run; another's, or none, is the app's 404 (services' NotFound)."""
    return get_run(db.session, _viewer(), run_id)


def _names() -> dict:
    return {m.user_id: m.user.display_name for m in workspace_members(db.session, g.workspace.id)}


def _back(default: str) -> str:
    """Where a Cancel or Retry form asked to go back to: a path of this site only."""
    return safe_next(request.form.get("next")) or default


@bp.get("")
@login_required
def index():
    kind, status = request.args.get("kind") or None, request.args.get("status") or None
    page = list_runs(db.session, _viewer(), kind, status, request.args.get("page", 1))
    filters = {k: v for k, v in (("kind", kind), ("status", status)) if v}
    return render_template(
        "jobs/index.html",
        runs=page.runs,
        total=page.total,
        page=page.page,
        per_page=50,
        filters=filters,
        kinds=kinds_seen(db.session, _viewer()),
        statuses=RUN_STATUSES,
        names=_names(),
    )


@bp.get("/<run_id>")
@login_required
def show(run_id):
    run = _run_or_404(run_id)
    return render_template(
        "jobs/show.html", run=run, children=child_runs(db.session, run), names=_names()
    )


@bp.get("/<run_id>/progress")
@login_required
def progress(run_id):
    """The widget alone; `reload=1` asks for a page refresh once the run has ended."""
    run = _run_or_404(run_id)
    reload = request.args.get("reload") == "1"
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = page.path + (f"?{page.query}" if page.query else "") if page.path else None
    response = make_response(
        render_template("jobs/_progress.html", run=run, reload=reload, back=back)
    )
    if reload and run.finished:
        response.headers["HX-Refresh"] = "true"  # the starting page now shows the result
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<run_id>/row")
@login_required
def row(run_id):
    run = _run_or_404(run_id)
    response = make_response(render_template("jobs/_row.html", run=run, names=_names()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<run_id>/cancel")
@login_required
def cancel_run(run_id):
    run = _run_or_404(run_id)
    if not run.active:
        flash("That run has already ended.", "error")
    elif cancel(run) == "cancelled":
        flash(f"{job_label(run.kind)} cancelled.", "success")
    else:
        flash(f"{job_label(run.kind)} will stop after its current batch.", "success")
    return redirect(_back(url_for("jobs.show", run_id=run.id)))


@bp.post("/<run_id>/retry")
@login_required
def retry_run(run_id):
    run = _run_or_404(run_id)
    if run.status != "failed":
        abort(409, "Only a failed run can be retried.")
    again = retry(run, started_by=current_user.id)
    flash(f"{job_label(run.kind)} started again.", "success")
    return redirect(url_for("jobs.show", run_id=again.id))
