"""The duplicates scan: compares names within each shared company, outside the request."""

from __future__ import annotations

import uuid

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.services.leads.duplicates import find_duplicate_pairs, pairs_to_result

SCAN = "duplicates.scan"


@job(SCAN, label="Duplicates scan")
def scan_duplicates(run, workspace_id: str) -> int:
    pairs = find_duplicate_pairs(
        db.session, uuid.UUID(workspace_id), progress=run.progress, stop=run.cancelled
    )
    if run.stopped:
        run.tell("Scan stopped before it finished.")
        return 0
    run.keep(pairs_to_result(pairs))
    run.count(pairs=len(pairs))
    run.tell(f"{len(pairs)} possible duplicate pair{'' if len(pairs) == 1 else 's'} found.")
    return len(pairs)
