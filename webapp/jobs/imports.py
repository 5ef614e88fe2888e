"""Import jobs: run an uploaded file into leads in batches, and revert an import.

`imports.run` reads the stored file from the import's checkpoint on, so a retry after
a killed worker (RQ retries 3 times) skips the rows already committed; each batch and
the import's counts commit together. The run's counts mirror the import's.
"""

from __future__ import annotations

import time
import uuid

from flask import current_app

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.models import LeadImport
from webapp.models.base import utcnow
from webapp.services.audit import record_audit
from webapp.services.imports.batch import (
    BATCH_SIZE,
    apply_batch,
    prepare,
    refresh_statistics,
)
from webapp.services.imports.pipeline import parsed_batches
from webapp.services.imports.reading import estimate_rows
from webapp.services.imports.revert import finish_revert, revert_batch
from webapp.services.imports.setup import shape_of, stored_file

RUN = "imports.run"
REVERT = "imports.revert"


def start_import(imp: LeadImport) -> None:
    """Commit the configured import, then start its run and link it (inline: it has run).

    The caller's work (the import's settings, its audit row) commits first: an inline
    run starts at once and must see it.
    """
    from webapp.jobs import enqueue

    db.session.commit()
    run = enqueue(
        RUN,
        imp.id,
        workspace_id=imp.workspace_id,
        started_by=imp.created_by_id,
        subject=("lead_import", imp.id),
    )
    db.session.execute(
        LeadImport.__table__.update().where(LeadImport.id == imp.id).values(job_run_id=run.id)
    )
    db.session.commit()


def _load(import_id: str) -> LeadImport | None:
    return db.session.get(LeadImport, uuid.UUID(import_id), populate_existing=True)


def _mirror(run, imp: LeadImport) -> None:
    run.counts = {
        "created": imp.created_count,
        "updated": imp.updated_count,
        "skipped": imp.skipped_count,
        "invalid": imp.invalid_count,
    }
    run.progress(imp.done_rows, imp.total_rows)


@job(RUN, label="CSV import")
def run_import(run, import_id: str, batch_size: int = BATCH_SIZE) -> int:
    """Import the file's rows after the checkpoint; returns the rows done in all."""
    imp = _load(import_id)
    if imp is None or imp.finished_at is not None or imp.reverted_at is not None:
        return 0
    path = stored_file(imp, current_app.instance_path)
    shape = shape_of(imp)
    if imp.total_rows is None:
        imp.total_rows = estimate_rows(path, shape)
    imp.started_at = imp.started_at or utcnow()
    context = prepare(db.session, imp)
    db.session.commit()
    _mirror(run, imp)
    analyzed = 0
    with parsed_batches(path, shape, context, imp.checkpoint, batch_size) as batches:
        for batch in batches:
            apply_batch(db.session, context, batch, imp.checkpoint)
            db.session.commit()
            imp = _load(import_id)
            if imp.created_count > 2 * analyzed + batch_size:
                analyzed = imp.created_count
                refresh_statistics(db.session)
                db.session.commit()
            _mirror(run, imp)
            if run.cancelled():
                run.tell(f"Stopped after {imp.done_rows:,} rows.")
                return imp.done_rows
    imp.total_rows = imp.done_rows
    imp.finished_at = utcnow()
    _assign_to_campaign(imp)
    db.session.commit()
    _mirror(run, imp)
    run.tell(
        f"{imp.done_rows:,} rows: {imp.created_count:,} created, {imp.updated_count:,} "
        f"updated, {imp.skipped_count:,} skipped, {imp.invalid_count:,} invalid."
    )
    return imp.done_rows


def _assign_to_campaign(imp: LeadImport) -> None:
    """Use case 4: a file uploaded to a campaign feeds it through the list it filled."""
    if imp.campaign_id is None or imp.lead_list_id is None:
        return
    try:
        from webapp.services.campaigns.assignment import assign_list
    except ImportError:  # campaigns not merged yet: the list is filled, not assigned
        return
    from webapp.models import Campaign, LeadList

    campaign = db.session.get(Campaign, imp.campaign_id)
    lead_list = db.session.get(LeadList, imp.lead_list_id)
    if campaign is not None and lead_list is not None:
        assign_list(db.session, campaign, lead_list, user_id=imp.created_by_id)


@job(REVERT, label="Import revert")
def revert_import(run, import_id: str, user_id: str | None = None) -> int:
    imp = _load(import_id)
    if imp is None or imp.reverted_at is not None:
        return 0
    user = uuid.UUID(user_id) if user_id else None
    total = {"deleted": 0, "restored": 0, "kept": 0, "unlisted": 0, "kept_worked": 0}
    started = time.monotonic()
    done = 0
    while counts := revert_batch(db.session, imp, user):
        db.session.commit()
        done += 1
        for name, n in counts.items():
            total[name] += n
        run.counts = dict(total)
        run.progress(done)
    finish_revert(db.session, imp)
    record_audit(
        db.session,
        imp.workspace_id,
        user,
        "import.reverted",
        "lead_import",
        imp.id,
        {"file_name": imp.file_name, **total, "seconds": round(time.monotonic() - started, 1)},
    )
    db.session.commit()
    run.counts = dict(total)
    run.tell(
        f"Reverted: {total['deleted']:,} leads deleted, {total['restored']:,} fields restored, "
        f"{total['kept']:,} kept (changed since)"
        + (
            f"; {total['kept_worked']:,} created leads kept (worked on since)."
            if total["kept_worked"]
            else "."
        )
    )
    return total["deleted"]
