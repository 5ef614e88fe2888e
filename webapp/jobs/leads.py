"""Lead jobs: thin wrappers that load by id, call a service, and report progress."""

from __future__ import annotations

import uuid

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.jobs.runner import GiveUp, error_text
from webapp.models import Lead
from webapp.services.errors import ValidationFailed
from webapp.services.leads.bulk import BATCH, BulkRequest, apply_bulk, check_request, chosen_ids
from webapp.services.leads.timeline import add_activity


@job("leads.record_activity", label="Timeline entry")
def record_activity(
    run, workspace_id: str, lead_id: str, activity_type: str, description: str | None = None
) -> str | None:
    """Append an activity to a lead's timeline; returns its id, or None if the lead is gone."""
    lead = db.session.execute(
        db.select(Lead).where(
            Lead.id == uuid.UUID(lead_id), Lead.workspace_id == uuid.UUID(workspace_id)
        )
    ).scalar()
    if lead is None:
        return None
    activity = add_activity(db.session, lead, activity_type, description)
    db.session.commit()
    return str(activity.id)


@job("leads.bulk", label="Bulk change of leads")
def bulk_update(
    run, workspace_id: str, user_id: str, is_admin: bool, timezone: str, ip, request: dict
) -> int:
    """Apply a bulk action in batches, one transaction each, stopping cleanly on cancel."""
    workspace, user = uuid.UUID(workspace_id), uuid.UUID(user_id)
    bulk = BulkRequest.from_job(request)
    try:
        check_request(bulk, is_admin)
        ids = chosen_ids(db.session, workspace, bulk, user, timezone)
    except ValidationFailed as exc:  # e.g. more leads match now than a bulk action takes
        raise GiveUp(error_text(exc)) from None
    except PermissionError:
        raise GiveUp("Only admins delete leads.") from None
    db.session.commit()  # nothing written: ends the read so the progress write may proceed
    run.progress(0, len(ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        if run.cancelled():
            run.tell(f"Stopped after {start:,} of {len(ids):,} leads; {changed:,} changed.")
            return changed
        batch = ids[start : start + BATCH]
        done = apply_bulk(db.session, workspace, bulk, batch, user, ip)
        db.session.commit()
        changed += done
        run.count(changed=done, unchanged=len(batch) - done)
        run.progress(start + len(batch))
    run.tell(f"Done: {changed:,} lead{'' if changed == 1 else 's'} changed.")
    return changed
