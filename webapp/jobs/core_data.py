"""Core data loads and target-client CSV links, as jobs with runs.

`core.load`: an uploaded file (UploadedFile, by id) loaded as companies or people.
`core.load_file`: the same from a path on this machine; `flask core load` runs it
in-process (a worker elsewhere would not have the file).
`target_clients.link_csv`: an uploaded CSV of person_email, company_domain rows,
linked for one target client in batches of 10,000.
Each commits per batch, reports progress, stops between batches when cancelled, and
keeps a report (counts and the first refused rows) for the page that started it.
"""

from __future__ import annotations

import io
import uuid

from sqlalchemy import delete

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.models.target_clients import UploadedFile
from webapp.services.core.loader import LoadReport, load_file
from webapp.services.errors import NotFound
from webapp.services.target_clients.csv_links import link_csv

LOAD = "core.load"
LOAD_FILE = "core.load_file"
LINK_CSV = "target_clients.link_csv"
REPORTED_ERRORS = 200


def _load(run, kind: str, stream, filename: str, total_lines: int | None) -> dict:
    def after_batch(report: LoadReport) -> bool:
        db.session.commit()
        run.counts.update(report.counts)
        run.progress(report.read, total_lines)
        return not run.cancelled()

    report = load_file(db.session, kind, stream, filename, after_batch)
    db.session.commit()
    run.counts.update(report.counts)
    errors = sorted(report.errors, key=lambda e: e.line)[:REPORTED_ERRORS]
    run.keep(
        {
            "kind": kind,
            "filename": filename,
            "errors": [e.as_dict() for e in errors],
            "errors_total": report.failed,
        }
    )
    stopped = " (stopped before the end)" if run.stopped else ""
    run.tell(
        f"{kind.capitalize()}: {report.inserted:,} added, {report.updated:,} updated, "
        f"{report.failed:,} refused of {report.read:,} rows{stopped}."
    )
    return report.counts


def _upload(workspace_id: str, upload_id: str) -> UploadedFile:
    upload = db.session.get(UploadedFile, uuid.UUID(upload_id))
    if upload is None or str(upload.workspace_id) != workspace_id:
        raise NotFound("The uploaded file is gone (it is deleted once it has been read).")
    return upload


@job(LOAD, label="Core data load")
def load_uploaded(run, workspace_id: str, upload_id: str, kind: str) -> dict:
    upload = _upload(workspace_id, upload_id)
    content, filename = upload.content, upload.filename
    total = max(content.count(b"\n") - (0 if filename.lower().endswith("l") else 1), 0)
    # A file that cannot be read at all (ValidationFailed) is kept, so each retry
    # fails with the same reason; a file read through is deleted.
    counts = _load(run, kind, io.BytesIO(content), filename, total or None)
    _forget(upload_id)
    return counts


def _forget(upload_id: str) -> None:
    db.session.rollback()
    db.session.execute(delete(UploadedFile).where(UploadedFile.id == uuid.UUID(upload_id)))
    db.session.commit()


@job(LOAD_FILE, label="Core data load (command line)")
def load_path(run, path: str, kind: str) -> dict:
    with open(path, "rb") as stream:
        return _load(run, kind, stream, path, None)


@job(LINK_CSV, label="Target client CSV link")
def link_uploaded_csv(
    run, workspace_id: str, upload_id: str, target_client_domain: str, source: str
) -> dict:
    content = _upload(workspace_id, upload_id).content

    def after_batch(done: int, total: int, counts: dict) -> bool:
        db.session.commit()
        run.counts.update(counts)
        run.progress(done, total)
        return not run.cancelled()

    outcome = link_csv(
        db.session,
        uuid.UUID(workspace_id),
        target_client_domain,
        source,
        io.BytesIO(content),
        after_batch,
    )
    run.counts.update(outcome.counts)
    run.keep(outcome.report(REPORTED_ERRORS))
    run.tell(
        f"{outcome.linked:,} of {outcome.total:,} rows linked to {target_client_domain}; "
        f"{outcome.failed:,} failed."
    )
    db.session.commit()
    _forget(upload_id)
    return outcome.counts
