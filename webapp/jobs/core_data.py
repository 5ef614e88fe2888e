"""Core data loads and target-client CSV links, as jobs with runs.

`core.load`: an uploaded file (UploadedFile, by id) loaded as companies or people.
`core.load_file`: the same from a path on this machine; `flask core load` runs it
in-process. The file stays where it is (a core file may be gigabytes: not a database
value), so a retry on another machine gives up, naming the host that has the file.
A file no attempt can read (empty, binary, no key column) gives up too: no retries.
`target_clients.link_csv`: an uploaded CSV of person_email, company_domain rows,
linked for one target client in batches of 10,000.
Each commits per batch, reports progress, stops between batches when cancelled, and
keeps a report (counts and the first refused rows) for the page that started it.
"""

from __future__ import annotations

import io
import socket
import uuid

from sqlalchemy import delete

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.jobs.runner import GiveUp, error_text
from webapp.models.target_clients import UploadedFile
from webapp.services.core.loader import LoadReport, load_file
from webapp.services.errors import NotFound, ValidationFailed
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

    try:
        report = load_file(db.session, kind, stream, filename, after_batch)
    except ValidationFailed as exc:  # the file, not the moment: a retry cannot mend it
        raise GiveUp(error_text(exc)) from None
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
    # A file that cannot be read at all gives up and is kept (a retry from the Jobs page
    # says the same); a file read through is deleted.
    counts = _load(run, kind, io.BytesIO(content), filename, total or None)
    _forget(upload_id)
    return counts


def _forget(upload_id: str) -> None:
    db.session.rollback()
    db.session.execute(delete(UploadedFile).where(UploadedFile.id == uuid.UUID(upload_id)))
    db.session.commit()


@job(LOAD_FILE, label="Core data load (command line)")
def load_path(run, path: str, kind: str, host: str | None = None) -> dict:
    """`host`: the machine `flask core load` ran on (runs from before it have none)."""
    here = socket.gethostname()
    try:
        stream = open(path, "rb")  # noqa: SIM115  (closed below)
    except OSError as exc:
        if host and host != here:
            raise GiveUp(
                f"The file {path} is only on host {host} (this worker runs on {here}): run "
                f"`flask core load {kind} FILE` on {host}, or upload the file on Core data → Load."
            ) from None
        raise GiveUp(f"The file {path} cannot be read on {here}: {exc.strerror}.") from None
    with stream:
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

    try:
        outcome = link_csv(
            db.session,
            uuid.UUID(workspace_id),
            target_client_domain,
            source,
            io.BytesIO(content),
            after_batch,
        )
    except ValidationFailed as exc:  # e.g. no person_email column: a retry cannot mend it
        raise GiveUp(error_text(exc)) from None
    run.counts.update(outcome.counts)
    run.keep(outcome.report(REPORTED_ERRORS))
    run.tell(
        f"{outcome.linked:,} of {outcome.total:,} rows linked to {target_client_domain}; "
        f"{outcome.failed:,} failed."
    )
    db.session.commit()
    _forget(upload_id)
    return outcome.counts
