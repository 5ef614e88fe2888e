"""Building import files in tests and running them through the app's import job."""

from __future__ import annotations

import io

from webapp.extensions import db
from webapp.jobs import enqueue
from webapp.models import Lead, LeadImport
from webapp.services.imports.setup import ImportOptions, configure_import, create_import


def csv_bytes(rows, delimiter=",", encoding="utf-8", newline="\r\n") -> bytes:
    lines = [delimiter.join(row) if not isinstance(row, str) else row for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def upload(app, workspace, user, data: bytes, name="leads.csv") -> LeadImport:
    imp = create_import(
        db.session, workspace.id, user.id if user else None, app.instance_path,
        io.BytesIO(data), name,
    )  # fmt: skip
    db.session.commit()
    return imp


def start(imp: LeadImport, batch_size: int | None = None, **options) -> LeadImport:
    configure_import(db.session, imp, ImportOptions(**options), imp.created_by_id)
    db.session.commit()
    extra = {"batch_size": batch_size} if batch_size else {}
    run = enqueue(
        "imports.run", imp.id, workspace_id=imp.workspace_id, started_by=imp.created_by_id,
        subject=("lead_import", imp.id), **extra,
    )  # fmt: skip
    imp.job_run_id = run.id
    db.session.commit()
    return reloaded(imp)


def run_file(app, workspace, user, data: bytes, name="leads.csv", batch_size=None, **options):
    return start(upload(app, workspace, user, data, name), batch_size, **options)


def reloaded(imp: LeadImport) -> LeadImport:
    db.session.expire_all()
    return db.session.get(LeadImport, imp.id)


def leads_of(workspace) -> list[Lead]:
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(Lead).where(Lead.workspace_id == workspace.id).order_by(Lead.email)
        ).scalars()
    )


def counts(imp: LeadImport) -> dict:
    imp = reloaded(imp)
    return {
        "total": imp.total_rows,
        "done": imp.done_rows,
        "created": imp.created_count,
        "updated": imp.updated_count,
        "skipped": imp.skipped_count,
        "invalid": imp.invalid_count,
    }


def run_in_process(app, workspace, user, data: bytes, name="leads.csv", **options) -> LeadImport:
    """An import run to its end in this process, whether or not Redis is configured."""
    from webapp.jobs.imports import RUN
    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import create_run, execute

    imp = upload(app, workspace, user, data, name)
    configure_import(db.session, imp, ImportOptions(**options), imp.created_by_id)
    db.session.commit()  # before the run's own connection writes (SQLite: one writer)
    run = create_run(
        get_job(RUN), workspace_id=workspace.id, started_by=user.id, args=[str(imp.id)],
        subject_type="lead_import", subject_id=str(imp.id),
    )  # fmt: skip
    imp.job_run_id = run.id
    db.session.commit()
    execute(get_job(RUN), run.id, (str(imp.id),), {}, will_retry=False, reraise=True)
    return reloaded(imp)
