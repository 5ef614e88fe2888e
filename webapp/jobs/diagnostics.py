"""Jobs that exercise the job machinery itself: the benchmark's no-op, a batch loop, and
where jobs run (process, database session).

`diagnostics.batches` behaves like real long work (batches, progress, counts, a
cancel check between batches, an optional failure), so tests and operators can
check a worker end to end without touching customer data.
"""

from __future__ import annotations

import os
import time
import uuid

from sqlalchemy import select, text

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.models import Workspace


@job("diagnostics.noop", label="No-op (diagnostics)")
def noop(run) -> None:
    return None


@job("diagnostics.batches", label="Batch loop (diagnostics)")
def batches(run, count: int, pause: float = 0.0, fail_at: int | None = None) -> int:
    """Run `count` batches, reporting each; raise at batch `fail_at` if asked to."""
    run.progress(0, count)
    for done in range(count):
        if run.cancelled():
            run.tell(f"Stopped after {done} of {count} batches.")
            return done
        if fail_at is not None and done == fail_at:
            raise RuntimeError(f"batch {done} failed on purpose")
        time.sleep(pause)
        run.count(batches=1)
        run.progress(done + 1)
    run.tell(f"All {count} batches done.")
    return count


@job("diagnostics.session", label="Worker process and database session (diagnostics)", warm=True)
def session(run, workspace_id: str | None = None, crash: bool = False) -> None:
    """Say which process and database session ran it (a worker lends its sessions to its
    work-horses: webapp/jobs/lent_connections.py). With `workspace_id`, it locks that
    workspace's row (NOWAIT: failing if a lost transaction still holds it); `crash` then
    ends its process abruptly inside that transaction, as a killed work-horse would."""
    database_session = None
    if db.engine.dialect.name == "postgresql":
        database_session = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    if workspace_id is not None:
        db.session.execute(
            select(Workspace.id)
            .where(Workspace.id == uuid.UUID(workspace_id))
            .with_for_update(nowait=True)
        )
    if crash:
        os._exit(1)
    db.session.commit()
    run.keep({"pid": os.getpid(), "parent_pid": os.getppid(), "database_session": database_session})
    run.tell(f"Ran in process {os.getpid()}, database session {database_session}.")
