"""Campaigns: admins make them and assign lists; reps work the queue one lead at a time.

Pages: the campaigns (`/campaigns`), one campaign with its lists, stats and queue, the
rep's work view of one lead, and the reports. Every campaign is loaded through the
workspace (another workspace's is a 404). Logic lives in webapp/services/campaigns/.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from webapp.auth_session import admin_required
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.campaigns import RESYNC
from webapp.models import Campaign, CampaignLeadList, LeadList
from webapp.models.base import utcnow
from webapp.models.campaigns import CAMPAIGN_LEAD_STATUSES, CAMPAIGN_STATUSES
from webapp.models.leads import INTENTS, SOURCES, STATUSES
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.campaigns import assignment
from webapp.services.campaigns.attempts import attempts_of, clean_attempt, record_attempt
from webapp.services.campaigns.campaigns import (
    campaigns_overview,
    clean_campaign_fields,
    create_campaign,
    set_archived,
    update_campaign,
)
from webapp.services.campaigns.queue import (
    claim_next,
    get_campaign_lead,
    held_lead,
    queue_page,
    release,
)
from webapp.services.campaigns.reports import (
    bar,
    campaign_totals,
    lead_quality,
    list_reusability,
    list_stats,
    performance_by_list,
)
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.leads.filters import LeadFilter
from webapp.services.scoping import get_owned
from webapp.templating import isolated

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
bp.add_app_template_global(utcnow, "now_utc")
FILTER_FIELDS = ("status", "intent", "source", "score_min", "score_max", "tag", "q")


@bp.app_template_filter("criteria_text")
def criteria_text(criteria: dict | None) -> str:
    """A stored filter in words: "status new, contacted · score from 50"."""
    if not criteria:
        return ""
    parts = []
    for key, value in criteria.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        label = {"score_min": "score from", "score_max": "score up to", "q": "search"}.get(
            key, key.replace("_", " ")
        )
        parts.append(f"{label} {shown}")
    return " · ".join(parts)


@bp.app_template_global()
def lead_campaigns(lead) -> list:
    """The lead page's campaigns panel: each campaign lead with its attempts."""
    from sqlalchemy import select

    from webapp.models import CampaignLead

    rows = db.session.execute(
        select(CampaignLead, Campaign)
        .join(Campaign, Campaign.id == CampaignLead.campaign_id)
        .where(CampaignLead.lead_id == lead.id, Campaign.workspace_id == lead.workspace_id)
        .order_by(Campaign.name)
    ).all()
    history = attempts_of(db.session, [row.id for row, _ in rows])
    return [(campaign, row, history.get(row.id, [])) for row, campaign in rows]


def _campaign(campaign_id) -> Campaign:
    return get_owned(db.session, Campaign, g.workspace.id, campaign_id)


def _link(campaign: Campaign, link_id) -> CampaignLeadList:
    from webapp.services.scoping import parse_uuid

    wanted = parse_uuid(link_id)
    link = db.session.get(CampaignLeadList, wanted) if wanted else None
    if link is None or link.campaign_id != campaign.id:
        raise NotFound("campaign list")
    return link


def _timezone() -> str:
    return g.workspace.timezone or "UTC"


def _to_campaign(campaign: Campaign, **args):
    return redirect(url_for("campaigns.show", campaign_id=campaign.id, **args))


@bp.get("")
@login_required
def index():
    archived = request.args.get("archived") == "1"
    rows = campaigns_overview(db.session, g.workspace.id, archived)
    return render_template("campaigns/index.html", rows=rows, archived=archived)


def _render_form(campaign=None, values=None, errors=None, status=200):
    return (
        render_template(
            "campaigns/form.html",
            campaign=campaign,
            values=values or {},
            errors=errors or {},
            statuses=CAMPAIGN_STATUSES,
        ),
        status,
    )


def _form_values(campaign: Campaign) -> dict:
    def day(value):
        return value.astimezone(_zone()).date().isoformat() if value else ""

    return {
        "name": campaign.name,
        "description": campaign.description or "",
        "status": campaign.status,
        "starts_at": day(campaign.starts_at),
        "ends_at": day(campaign.ends_at),
        "max_attempts": campaign.max_attempts,
    }


def _zone():
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(_timezone())
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


@bp.get("/new")
@admin_required
def new():
    return _render_form(values={"status": "draft", "max_attempts": 3})


@bp.post("")
@admin_required
def create():
    try:
        fields = clean_campaign_fields(request.form, _timezone())
        campaign = create_campaign(db.session, g.workspace.id, fields, current_user.id)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_form(values=request.form, errors=exc.errors, status=422)
    db.session.commit()
    flash(f"Campaign {isolated(campaign.name)} created. Assign lists to fill it.", "success")
    return _to_campaign(campaign)


@bp.get("/<campaign_id>/edit")
@admin_required
def edit(campaign_id):
    campaign = _campaign(campaign_id)
    return _render_form(campaign, _form_values(campaign))


@bp.post("/<campaign_id>/edit")
@admin_required
def update(campaign_id):
    campaign = _campaign(campaign_id)
    try:
        update_campaign(db.session, campaign, clean_campaign_fields(request.form, _timezone()))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_form(_campaign(campaign_id), request.form, exc.errors, 422)
    db.session.commit()
    flash("Campaign saved.", "success")
    return _to_campaign(campaign)


@bp.post("/<campaign_id>/archive")
@admin_required
def archive(campaign_id):
    campaign = _campaign(campaign_id)
    archived = request.form.get("archived", "1") != "0"
    set_archived(db.session, campaign, archived)
    db.session.commit()
    done = "archived" if archived else "restored"
    flash(f"Campaign {isolated(campaign.name)} {done}.", "success")
    return redirect(url_for("campaigns.index", archived="1" if archived else None))


@bp.get("/<campaign_id>")
@login_required
def show(campaign_id):
    campaign = _campaign(campaign_id)
    stats = list_stats(db.session, campaign)
    assigned = {s.link.lead_list_id for s in stats}
    lists = [
        x
        for x in db.session.execute(
            db.select(LeadList)
            .where(LeadList.workspace_id == g.workspace.id, LeadList.is_archived.is_(False))
            .order_by(LeadList.name)
        ).scalars()
        if x.id not in assigned
    ]
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        stats=stats,
        totals=campaign_totals(db.session, campaign, stats),
        queue=queue_page(db.session, campaign, request.args.get("page", 1)),
        held=held_lead(db.session, campaign, current_user.id),
        lists=lists,
        lead_statuses=STATUSES,
        intents=INTENTS,
        sources=SOURCES,
    )


def _criteria_from_form(form) -> dict | None:
    args = MultiDict()
    for key in FILTER_FIELDS:
        for value in form.getlist(f"f_{key}"):
            if str(value).strip():
                args.add(key, value)
    return LeadFilter.from_args(args, default_owner="any").criteria() or None


@bp.post("/<campaign_id>/lists")
@admin_required
def assign(campaign_id):
    campaign = _campaign(campaign_id)
    if not request.form.get("list_id"):
        raise ValidationFailed({"list_id": "choose a list to assign"})
    lead_list = get_owned(db.session, LeadList, g.workspace.id, request.form.get("list_id"))
    link = assignment.assign_list(
        db.session,
        campaign,
        lead_list,
        priority=request.form.get("priority") or None,
        max_attempts_override=request.form.get("max_attempts_override") or None,
        filter_criteria=_criteria_from_form(request.form),
        is_active=request.form.get("is_active", "1") == "1",
        user_id=current_user.id,
    )
    db.session.commit()
    flash(
        f"List {isolated(lead_list.name)} assigned at priority {link.priority}: "
        f"{link.total_leads:,} lead(s) in the campaign from it.",
        "success",
    )
    return _to_campaign(campaign)


def _reordered(campaign: Campaign):
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(message="Lists reordered.")
    flash("Lists reordered.", "success")
    return _to_campaign(campaign)


@bp.post("/<campaign_id>/lists/order")
@admin_required
def reorder(campaign_id):
    campaign = _campaign(campaign_id)
    assignment.reorder_lists(db.session, campaign, request.form.getlist("link"))
    return _reordered(campaign)


@bp.post("/<campaign_id>/lists/<link_id>/move")
@admin_required
def move(campaign_id, link_id):
    campaign = _campaign(campaign_id)
    link = _link(campaign, link_id)
    assignment.move_list(db.session, campaign, link, request.form.get("direction", ""))
    return _reordered(campaign)


@bp.post("/<campaign_id>/lists/<link_id>")
@admin_required
def update_list(campaign_id, link_id):
    campaign = _campaign(campaign_id)
    link = _link(campaign, link_id)
    assignment.update_assignment(
        db.session,
        campaign,
        link,
        max_attempts_override=request.form.get("max_attempts_override") or None,
        filter_criteria=_criteria_from_form(request.form),
        is_active=request.form.get("is_active") == "1",
    )
    db.session.commit()
    flash("List settings saved.", "success")
    return _to_campaign(campaign)


@bp.post("/<campaign_id>/lists/<link_id>/remove")
@admin_required
def remove_list(campaign_id, link_id):
    campaign = _campaign(campaign_id)
    assignment.unassign_list(db.session, campaign, _link(campaign, link_id))
    db.session.commit()
    flash("List taken out of the campaign; leads already worked stay.", "success")
    return _to_campaign(campaign)


@bp.post("/<campaign_id>/resync")
@admin_required
def resync(campaign_id):
    campaign = _campaign(campaign_id)
    run = enqueue(
        RESYNC,
        campaign.id,
        workspace_id=g.workspace.id,
        started_by=current_user.id,
        subject=("campaign", campaign.id),
    )
    if run is not None and run.finished:
        kind = "success" if run.status == "succeeded" else "error"
        flash(run.message or "Re-sync finished.", kind)
    else:
        flash("Re-sync started: new members join the queue in a moment.", "success")
    return _to_campaign(campaign)


@bp.post("/<campaign_id>/next")
@login_required
def work_next(campaign_id):
    campaign = _campaign(campaign_id)
    if campaign.is_archived or campaign.status != "active":
        flash("Only an active campaign can be worked.", "error")
        return _to_campaign(campaign)
    minutes = current_app.config["CAMPAIGN_LOCK_MINUTES"]
    claimed = claim_next(db.session, campaign, current_user.id, minutes)
    db.session.commit()
    if claimed is None:
        flash("No lead is due in this campaign's queue now.", "info")
        return _to_campaign(campaign)
    return redirect(url_for("campaigns.work", campaign_id=campaign.id, row_id=claimed.id))


@bp.get("/<campaign_id>/leads/<row_id>", endpoint="work")
@login_required
def work_view(campaign_id, row_id):
    return _render_work(_campaign(campaign_id), row_id)


def _render_work(campaign, row_id, values=None, errors=None, status=200):
    from webapp.models import Lead

    row = get_campaign_lead(db.session, campaign, row_id)
    lead = db.session.get(Lead, row.lead_id)
    if status == 200:
        record_audit(
            db.session,
            g.workspace.id,
            current_user.id,
            "lead.viewed",
            "lead",
            lead.id,
            {"campaign": campaign.name},
            client_ip(),
        )
        db.session.commit()
    link = db.session.execute(
        db.select(CampaignLeadList).where(
            CampaignLeadList.campaign_id == campaign.id,
            CampaignLeadList.lead_list_id == row.lead_list_id,
        )
    ).scalar()
    list_name = db.session.get(LeadList, row.lead_list_id).name if row.lead_list_id else None
    return (
        render_template(
            "campaigns/work.html",
            campaign=campaign,
            row=row,
            lead=lead,
            list_name=list_name,
            limit=assignment.attempts_limit(campaign, link),
            history=attempts_of(db.session, [row.id]).get(row.id, []),
            statuses=CAMPAIGN_LEAD_STATUSES,
            values=values or {},
            errors=errors or {},
            mine=row.locked_by_id == current_user.id,
            locked_by_other=_locked_by_other(row),
        ),
        status,
    )


def _locked_by_other(row) -> bool:
    from webapp.models.base import utcnow

    return bool(
        row.locked_by_id
        and row.locked_by_id != current_user.id
        and row.locked_until
        and row.locked_until >= utcnow()
    )


@bp.post("/<campaign_id>/leads/<row_id>/attempts")
@login_required
def record(campaign_id, row_id):
    campaign = _campaign(campaign_id)
    row = get_campaign_lead(db.session, campaign, row_id)
    try:
        values = clean_attempt(request.form, _timezone())
        record_attempt(db.session, campaign, row, current_user.id, values)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_work(campaign, row_id, request.form, exc.errors, 422)
    db.session.commit()
    flash(f"Attempt {row.attempts} recorded: {row.status.replace('_', ' ')}.", "success")
    if request.form.get("then") == "next":
        return work_next(campaign_id)
    return _to_campaign(campaign)


@bp.post("/<campaign_id>/leads/<row_id>/release")
@login_required
def release_lead(campaign_id, row_id):
    campaign = _campaign(campaign_id)
    row = get_campaign_lead(db.session, campaign, row_id)
    if release(db.session, row, current_user.id):
        db.session.commit()
        flash("Lead given back to the queue.", "success")
    return _to_campaign(campaign)


@bp.get("/reports")
@login_required
def reports():
    return render_template(
        "campaigns/reports.html",
        performance=performance_by_list(db.session, g.workspace.id),
        reusability=list_reusability(db.session, g.workspace.id),
        quality=lead_quality(db.session, g.workspace.id),
        bar=bar,
    )
