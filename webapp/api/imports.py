"""The import API: upload a file to import (202 with the run), read its progress and errors.

    POST /api/v1/imports                 multipart: file + mapping/policy/list/… fields
    GET  /api/v1/imports/<id>            progress and counts
    GET  /api/v1/imports/<id>/errors     the rejected rows (CSV, or JSON when asked)

Bearer tokens as the rest of the admin API; the token's workspace scopes every import.
"""

from __future__ import annotations

import itertools
import json

from flask import Blueprint, Response, current_app, request, stream_with_context
from pydantic import ValidationError

from webapp.api import tokens
from webapp.api.schemas import ImportErrorRow, ImportErrors, ImportStatus, ImportUpload
from webapp.errors import api_error
from webapp.extensions import db
from webapp.jobs.imports import start_import
from webapp.models import LeadImport
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.imports.listing import rows_per_second
from webapp.services.imports.report import count_rejected, rejected_rows, report_csv
from webapp.services.imports.setup import ImportOptions, configure_import, create_import
from webapp.services.scoping import get_owned

bp = Blueprint("import_api", __name__)
tokens.protect(bp)
JSON_ERRORS_LIMIT = 10_000


@bp.errorhandler(413)
def too_large(exc):
    from webapp.blueprints.imports import import_limit_message

    return api_error(413, import_limit_message())


def _audit(action: str, imp: LeadImport, details: dict | None = None) -> None:
    token = tokens.current_token()
    record_audit(
        db.session,
        token.workspace_id,
        token.created_by_id,
        action,
        "lead_import",
        imp.id,
        {**(details or {}), "api_token_id": str(token.id), "api_token": token.name},
        client_ip(),
    )


def _status(imp: LeadImport) -> dict:
    state = imp.status
    body = ImportStatus(
        id=imp.id,
        run_id=imp.job_run_id,
        status="queued" if state == "queued" else state,
        file_name=imp.file_name,
        file_format=imp.file_format,
        encoding=imp.encoding,
        delimiter=imp.delimiter,
        duplicate_policy=imp.duplicate_policy,
        list_id=imp.lead_list_id,
        campaign_id=imp.campaign_id,
        total=imp.total_rows,
        done=imp.done_rows,
        created=imp.created_count,
        updated=imp.updated_count,
        skipped=imp.skipped_count,
        invalid=imp.invalid_count,
        rows_per_second=rows_per_second(imp),
        created_at=imp.created_at,
        started_at=imp.started_at,
        finished_at=imp.finished_at,
        reverted_at=imp.reverted_at,
    )
    return body.model_dump(mode="json")


def _form_fields() -> ImportUpload:
    form = {k: v for k, v in request.form.items() if v != ""}
    try:
        return ImportUpload.model_validate({**form, "file": b""})
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for problem in exc.errors():
            field = ".".join(str(p) for p in problem["loc"]) or "body"
            errors.setdefault(field, []).append(problem["msg"])
        raise ValidationFailed(errors) from None


def _mapping(text: str | None):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationFailed({"mapping": "must be JSON: a list or an object"}) from None


@bp.post("/imports")
def create_import_endpoint():
    token = tokens.current_token()
    fields = _form_fields()
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": "is required (a multipart/form-data file part)"})
    mapping = _mapping(fields.mapping)
    imp = create_import(
        db.session,
        token.workspace_id,
        token.created_by_id,
        current_app.instance_path,
        upload.stream,
        upload.filename or "upload.csv",
    )
    try:
        options = ImportOptions(
            mapping=mapping,
            duplicate_policy=fields.duplicate_policy,
            list_id=str(fields.list_id) if fields.list_id else None,
            list_name=fields.list_name,
            source=fields.source,
            tags=fields.tags or "",
            owner_id=str(fields.owner_id) if fields.owner_id else None,
            campaign_id=str(fields.campaign_id) if fields.campaign_id else None,
        )
        configure_import(db.session, imp, options, token.created_by_id)
    except ValidationFailed:
        from webapp.services.imports.setup import stored_file

        stored_file(imp, current_app.instance_path).unlink(missing_ok=True)
        raise
    _audit("import.started", imp, {"file_name": imp.file_name, "policy": imp.duplicate_policy})
    start_import(imp)
    imp = db.session.get(LeadImport, imp.id, populate_existing=True)
    return _status(imp), 202, {"Location": f"/api/v1/imports/{imp.id}"}


def _import(import_id: str) -> LeadImport:
    try:
        return get_owned(db.session, LeadImport, tokens.current_token().workspace_id, import_id)
    except NotFound:
        raise NotFound("No such import.") from None


@bp.get("/imports/<import_id>")
def import_status_endpoint(import_id):
    imp = _import(import_id)
    db.session.commit()
    return _status(imp)


@bp.get("/imports/<import_id>/errors")
def import_errors_endpoint(import_id):
    imp = _import(import_id)
    _audit("import.errors_downloaded", imp, {"rows": imp.invalid_count})
    db.session.commit()
    best = request.accept_mimetypes.best_match(["text/csv", "application/json"], "text/csv")
    if (
        best == "application/json"
        and request.accept_mimetypes["application/json"] > (request.accept_mimetypes["text/csv"])
    ):
        rows = itertools.islice(rejected_rows(db.session, imp), JSON_ERRORS_LIMIT)
        body = ImportErrors(
            import_id=imp.id,
            total=count_rejected(db.session, imp),
            items=[
                ImportErrorRow(
                    line=row.line,
                    reason=row.reason,
                    values={str(k): str(v) for k, v in (row.values or {}).items()},
                )
                for row in rows
            ],
        )
        return body.model_dump(mode="json")
    return Response(
        stream_with_context(report_csv(db.session, imp)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{imp.id}-errors.csv"'},
    )
