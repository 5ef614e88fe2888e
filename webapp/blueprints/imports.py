"""Imports: upload a CSV or .xlsx file, map its columns, watch it run, revert it.

Admins see every import of the workspace, a rep the imports they started (as on the
Jobs page); any other import is a 404. Uploads may be up to IMPORT_MAX_BYTES (the
rest of the app keeps MAX_CONTENT_LENGTH); a larger one is a 413 saying the limit.
"""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.errors import error_response
from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.jobs.imports import REVERT, RUN
from webapp.jobs.imports import start_import as start_run
from webapp.models import Campaign, LeadImport, LeadList
from webapp.net import client_ip
from webapp.services.accounts.users import workspace_members
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.imports.listing import import_visible, list_imports, rows_per_second
from webapp.services.imports.mapping import CHOICES, IGNORE, RAW, TARGET_FIELDS, check_mapping
from webapp.services.imports.report import report_csv
from webapp.services.imports.revert import check_revertible, may_revert
from webapp.services.imports.setup import (
    ImportOptions,
    configure_import,
    create_import,
    default_list_name,
    preview_rows,
)
from webapp.services.lists.lists import workspace_lists
from webapp.services.scoping import parse_uuid

bp = Blueprint("imports", __name__, url_prefix="/imports")
UPLOAD_PATHS = ("/imports", "/api/v1/imports")


def size_text(size: int) -> str:
    """Bytes as people read them, in binary units: 104857600 is "100 MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def import_limit_message() -> str:
    limit = size_text(current_app.config["IMPORT_MAX_BYTES"])
    return f"The file is larger than the upload limit of {limit}."


@bp.context_processor
def _upload_limit() -> dict:
    return {"upload_limit": size_text(current_app.config["IMPORT_MAX_BYTES"])}


def raise_upload_limit() -> None:
    """Uploads may be larger than other requests; set before CSRF reads the form."""
    if request.method == "POST" and request.path.rstrip("/") in UPLOAD_PATHS:
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


@bp.record_once
def _install_limit(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)


@bp.errorhandler(413)
def too_large(exc):
    return error_response(413, import_limit_message())


def _is_admin() -> bool:
    return bool(g.membership and g.membership.is_admin)


def _import_or_404(import_id) -> LeadImport:
    return import_visible(db.session, g.workspace.id, current_user.id, _is_admin(), import_id)


def _choices_for_upload():
    """The list and campaign a page linked here with (?list=, ?campaign=), if valid."""
    wanted_list = parse_uuid(request.values.get("list"))
    # ?campaign= on the way in; the mapping form carries it on as campaign_id.
    wanted_campaign = parse_uuid(
        request.values.get("campaign") or request.values.get("campaign_id")
    )
    lead_list = campaign = None
    if wanted_list:
        lead_list = db.session.execute(
            select(LeadList).where(
                LeadList.id == wanted_list, LeadList.workspace_id == g.workspace.id
            )
        ).scalar()
    if wanted_campaign:
        campaign = db.session.execute(
            select(Campaign).where(
                Campaign.id == wanted_campaign, Campaign.workspace_id == g.workspace.id
            )
        ).scalar()
    return lead_list, campaign


@bp.get("")
@login_required
def index():
    imports = list_imports(db.session, g.workspace.id, current_user.id, _is_admin())
    return render_template(
        "imports/index.html", imports=imports, lead_list=None, campaign=None, errors={}
    )


@bp.get("/new")
@login_required
def new():
    lead_list, campaign = _choices_for_upload()
    return render_template("imports/new.html", lead_list=lead_list, campaign=campaign, errors={})


@bp.post("")
@login_required
def upload():
    lead_list, campaign = _choices_for_upload()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_refused(lead_list, campaign, {"file": "choose a file to upload"})
    try:
        imp = create_import(
            db.session,
            g.workspace.id,
            current_user.id,
            current_app.instance_path,
            upload.stream,
            upload.filename,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _upload_refused(lead_list, campaign, exc.errors)
    db.session.commit()
    return redirect(
        url_for(
            "imports.mapping",
            import_id=imp.id,
            list=lead_list.id if lead_list else None,
            campaign=campaign.id if campaign else None,
        )
    )


def _upload_refused(lead_list, campaign, errors):
    page = render_template(
        "imports/new.html", lead_list=lead_list, campaign=campaign, errors=errors
    )
    return page, 422


@bp.get("/<import_id>/mapping")
@login_required
def mapping(import_id):
    imp = _import_or_404(import_id)
    if imp.job_run_id is not None:
        return redirect(url_for("imports.show", import_id=imp.id))
    lead_list, campaign = _choices_for_upload()
    # A guess without an email, LinkedIn URL or phone column is said now, not at Start.
    problems = _mapping_problems(imp, imp.mapping)
    return _mapping_page(imp, lead_list, campaign, problems, ImportOptions(mapping=imp.mapping))


def _mapping_problems(imp: LeadImport, mapping) -> dict[str, str]:
    try:
        check_mapping(mapping, list(imp.headers or []))
    except ValidationFailed as exc:
        return exc.errors
    return {}


def _form_mapping(imp: LeadImport) -> list[str]:
    return [request.form.get(f"column_{i}", IGNORE) for i in range(len(imp.headers or []))]


@bp.post("/<import_id>/mapping/check")
@login_required
def check_mapping_choices(import_id):
    """The mapping's problems (the page's alert region) as the columns are chosen."""
    imp = _import_or_404(import_id)
    problems = _mapping_problems(imp, _form_mapping(imp))
    return render_template("imports/_mapping_check.html", mapping_error=problems.get("mapping"))


def _mapping_page(imp, lead_list, campaign, errors, options, status=200):
    rows = preview_rows(imp, current_app.instance_path)
    page = render_template(
        "imports/mapping.html",
        imp=imp,
        rows=rows,
        errors={field: reason for field, reason in errors.items() if field != "mapping"},
        mapping_error=errors.get("mapping"),
        options=options,
        choices=CHOICES,
        fields=TARGET_FIELDS,
        raw=RAW,
        ignore=IGNORE,
        lists=workspace_lists(db.session, g.workspace.id),
        members=workspace_members(db.session, g.workspace.id),
        lead_list=lead_list,
        campaign=campaign,
        default_list_name=default_list_name(campaign),
    )
    return page, status


@bp.post("/<import_id>/start")
@login_required
def start(import_id):
    imp = _import_or_404(import_id)
    if imp.job_run_id is not None:
        return redirect(url_for("imports.show", import_id=imp.id))
    form = request.form
    options = ImportOptions(
        mapping=_form_mapping(imp),
        duplicate_policy=form.get("duplicate_policy", "skip"),
        list_id=form.get("list_id") if form.get("list_choice") == "existing" else None,
        list_name=form.get("list_name") if form.get("list_choice") != "existing" else None,
        source=form.get("source") or "csv_import",
        tags=form.get("tags", ""),
        owner_id=form.get("owner_id") or None,
        campaign_id=form.get("campaign_id") or None,
    )
    try:
        configure_import(db.session, imp, options, current_user.id)
    except ValidationFailed as exc:
        db.session.rollback()
        imp = _import_or_404(import_id)
        lead_list, campaign = _choices_for_upload()
        return _mapping_page(imp, lead_list, campaign, exc.errors, options, 422)
    start_import(imp)
    return redirect(url_for("imports.show", import_id=imp.id))


def start_import(imp: LeadImport) -> None:
    """Audit, then commit and start the run (webapp.jobs.imports.start_import)."""
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id if current_user.is_authenticated else None,
        "import.started",
        "lead_import",
        imp.id,
        {"file_name": imp.file_name, "policy": imp.duplicate_policy},
        client_ip(),
    )
    start_run(imp)


@bp.get("/<import_id>")
@login_required
def show(import_id):
    imp = _import_or_404(import_id)
    if imp.job_run_id is None:
        return redirect(url_for("imports.mapping", import_id=imp.id))
    return render_template(
        "imports/show.html",
        imp=imp,
        rate=rows_per_second(imp),
        may_revert=may_revert(imp, current_user.id, _is_admin()),
    )


@bp.get("/<import_id>/progress")
@login_required
def progress(import_id):
    imp = _import_or_404(import_id)
    return render_template(
        "imports/_progress.html",
        imp=imp,
        rate=rows_per_second(imp),
        may_revert=may_revert(imp, current_user.id, _is_admin()),
    )


@bp.get("/<import_id>/errors.csv")
@login_required
def errors_report(import_id):
    imp = _import_or_404(import_id)
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "import.errors_downloaded",
        "lead_import",
        imp.id,
        {"file_name": imp.file_name, "rows": imp.invalid_count},
        client_ip(),
    )
    db.session.commit()
    name = imp.file_name.rsplit(".", 1)[0][:100] or "import"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return Response(
        stream_with_context(report_csv(db.session, imp)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}-errors.csv"'},
    )


@bp.post("/<import_id>/revert")
@login_required
def revert(import_id):
    imp = _import_or_404(import_id)
    if not may_revert(imp, current_user.id, _is_admin()):
        return error_response(403, "Only an admin or the person who ran the import can revert it.")
    check_revertible(imp)
    if imp.revert_run is not None and imp.revert_run.active:
        flash("This import is being reverted.", "success")
        return redirect(url_for("imports.show", import_id=imp.id))
    record_audit(
        db.session,
        g.workspace.id,
        current_user.id,
        "import.revert_started",
        "lead_import",
        imp.id,
        {"file_name": imp.file_name},
        client_ip(),
    )
    db.session.commit()
    run = enqueue(
        REVERT,
        imp.id,
        current_user.id,
        workspace_id=g.workspace.id,
        started_by=current_user.id,
        subject=("lead_import", imp.id),
    )
    db.session.execute(
        LeadImport.__table__.update().where(LeadImport.id == imp.id).values(revert_run_id=run.id)
    )
    db.session.commit()
    flash("Revert started." if run.active else "Import reverted.", "success")
    return redirect(url_for("imports.show", import_id=imp.id))


@bp.cli.command("run")
@click.argument("import_id")
@click.option("--batch-size", type=int, default=None, help="Rows per committed batch.")
def run_command(import_id, batch_size):
    """Run (or resume after its checkpoint) an import in this process.

    For an operator whose workers are down, and for the resume test: the import's run
    is recorded as from a worker, and a second call carries on where the first stopped.
    """
    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import create_run, execute

    imp = db.session.get(LeadImport, parse_uuid(import_id))
    if imp is None or imp.lead_list_id is None:
        raise click.ClickException("No such import, or its mapping was not chosen yet.")
    spec = get_job(RUN)
    if imp.job_run_id is None:
        run = create_run(
            spec,
            workspace_id=imp.workspace_id,
            started_by=imp.created_by_id,
            subject_type="lead_import",
            subject_id=str(imp.id),
            args=[str(imp.id)],
        )
        imp.job_run_id = run.id
        db.session.commit()
    kwargs = {"batch_size": batch_size} if batch_size else {}
    execute(spec, imp.job_run_id, (str(imp.id),), kwargs, will_retry=False, reraise=True)
    imp = db.session.get(LeadImport, imp.id, populate_existing=True)
    click.echo(
        f"{imp.done_rows} rows: {imp.created_count} created, {imp.updated_count} updated, "
        f"{imp.skipped_count} skipped, {imp.invalid_count} invalid"
    )
