"""Jobs that exercise the job machinery itself: the benchmark's no-op and a batch loop.

`diagnostics.batches` behaves like real long work (batches, progress, counts, a
cancel check between batches, an optional failure), so tests and operators can
check a worker end to end without touching customer data.
"""

from __future__ import annotations

import time

from webapp.jobs.registry import job


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
