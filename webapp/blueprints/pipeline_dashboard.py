"""Pipeline → Dashboard, Trends and Schedules: what the pipeline did, and when it runs next."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.registry import job_label
from webapp.jobs.schedules import TRENDS
from webapp.services.days import parse_day
from webapp.services.pipeline_metrics.dashboard import (
    WINDOWS,
    day_chart,
    pipeline_dashboard,
    window_days,
)
from webapp.services.pipeline_metrics.trends import (
    TREND_THRESHOLD_PCT,
    measured_weeks,
    week_trends,
)
from webapp.services.schedules import schedule_overview, zone_of

bp = Blueprint("pipeline_dashboard", __name__, url_prefix="/pipeline")


@bp.get("")
@login_required
def index():
    days = window_days(request.args.get("days"))
    zone = zone_of(g.workspace.timezone)
    figures = pipeline_dashboard(db.session, g.workspace.id, zone, days, datetime.now(UTC))
    return render_template(
        "pipeline_dashboard/index.html",
        figures=figures,
        chart=day_chart(figures.per_day),
        windows=WINDOWS,
        job_label=job_label,
    )


@bp.get("/trends")
@login_required
def trends():
    wanted = parse_day(request.args.get("week"))
    week, rows = week_trends(db.session, g.workspace.id, wanted)
    return render_template(
        "pipeline_dashboard/trends.html",
        week=week,
        trends=rows,
        weeks=measured_weeks(db.session, g.workspace.id),
        threshold=TREND_THRESHOLD_PCT,
    )


@bp.post("/trends/run")
@admin_required
def run_trends():
    run = enqueue(
        TRENDS,
        str(g.workspace.id),
        workspace_id=g.workspace.id,
        started_by=current_user.id,
        subject=("schedule", "trends"),
    )
    flash("Measuring last week's trends.", "success")
    if run is not None and run.status in ("queued", "running"):
        return redirect(url_for("jobs.show", run_id=run.id))
    return redirect(url_for("pipeline_dashboard.trends"))


@bp.get("/schedules")
@admin_required
def schedules():
    rows = schedule_overview(db.session, g.workspace, datetime.now(UTC))
    return render_template("pipeline_dashboard/schedules.html", rows=rows)
