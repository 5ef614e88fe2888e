"""Job runs: recorded inline and by a real worker, with progress, counts, errors, retry, cancel."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import webapp.jobs as jobs
from webapp.jobs import cancel, enqueue, retry
from webapp.jobs.registry import UnknownJob, get_job, job_label
from webapp.jobs.runner import error_text
from webapp.models import JobRun

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def inline(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def stored(db, run) -> JobRun:
    db.session.expire_all()
    return db.session.get(JobRun, run.id)


def test_inline_run_records_progress_counts_and_message(inline, db, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    run = enqueue("diagnostics.batches", 3, workspace_id=workspace.id, started_by=user.id)
    assert run.status == "succeeded"
    assert (run.progress_done, run.progress_total, run.percent) == (3, 3, 100)
    assert run.counts == {"batches": 3}
    assert run.message == "All 3 batches done."
    assert run.args == [3] and run.started_by == user.id and run.workspace_id == workspace.id


def test_inline_failure_keeps_the_error_and_counts_the_attempt(inline, db, factory):
    workspace = factory.workspace()
    run = enqueue("diagnostics.batches", 5, fail_at=2, workspace_id=workspace.id)
    assert run.status == "failed"
    assert run.error == "RuntimeError: batch 2 failed on purpose"
    assert run.attempts == 1 and run.finished_at is not None
    assert (run.progress_done, run.counts) == (2, {"batches": 2})  # progress kept


def test_retry_links_a_new_attempt_with_the_same_arguments(inline, db, factory):
    workspace = factory.workspace()
    failed = enqueue("diagnostics.batches", 2, fail_at=0, workspace_id=workspace.id)
    again = retry(failed)
    assert again.id != failed.id and again.retry_of_id == failed.id
    assert (again.kind, again.args, again.kwargs) == (failed.kind, [2], {"fail_at": 0})
    assert again.workspace_id == workspace.id and again.status == "failed"


def test_cancelled_while_queued_never_runs(inline, db, factory):
    workspace = factory.workspace()
    run = JobRun(kind="diagnostics.batches", workspace_id=workspace.id, args=[2], kwargs={})
    db.session.add(run)
    db.session.commit()
    assert cancel(run) == "cancelled"
    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import execute

    execute(get_job(run.kind), run.id, (2,), {}, will_retry=False, reraise=False)
    assert stored(db, run).status == "cancelled"
    assert stored(db, run).progress_done == 0 and stored(db, run).attempts == 0


def test_a_finished_run_is_not_cancelled(inline, db, factory):
    run = enqueue("diagnostics.noop", workspace_id=factory.workspace().id)
    assert cancel(run) == "succeeded"


def test_jobs_take_ids_not_rows(inline, db, factory):
    workspace = factory.workspace()
    with pytest.raises(TypeError):
        enqueue("diagnostics.batches", workspace)
    with pytest.raises(UnknownJob):
        enqueue("no.such.job")


def test_unrecorded_kinds_write_no_row(inline, db):
    assert get_job("events.relay").record is False
    assert enqueue("events.relay") is None
    assert db.session.execute(db.select(JobRun)).scalars().all() == []


def test_an_idle_periodic_relay_leaves_no_row(inline, db):
    assert enqueue("events.relay_periodic") is None  # discarded: it found nothing to do
    assert db.session.execute(db.select(JobRun)).scalars().all() == []


def test_labels_are_for_people():
    assert job_label("diagnostics.batches") == "Batch loop (diagnostics)"
    assert job_label("retired.kind") == "retired.kind"


def test_error_text_leaves_out_credentials_and_sql_parameters():
    exc = RuntimeError(
        "connect to postgresql://app:s3cret@db/leads failed\n"
        "[SQL: SELECT 1]\n[parameters: {'email': 'ada@example.com'}]"
    )
    text = error_text(exc)
    assert "s3cret" not in text and "ada@example.com" not in text
    assert text == "RuntimeError: connect to postgresql://***@db/leads failed"


# -- with Redis and a real worker --------------------------------------------------


def _worker(*, burst=True):
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "worker.py", "--queues", "default"] + (["--burst"] if burst else [])
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err


def _wait_for(db, run, condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        current = stored(db, run)
        if condition(current):
            return current
        time.sleep(0.1)
    raise AssertionError(f"run stayed {stored(db, run).status}")


def test_worker_failure_is_retried_three_times_then_failed(db, factory, redis_url, monkeypatch):
    monkeypatch.setattr(jobs, "RETRY_INTERVALS", [0, 0, 0])  # retries due at once
    workspace = factory.workspace()
    run = enqueue("diagnostics.batches", 2, fail_at=1, workspace_id=workspace.id)
    _finish(_worker())
    run = stored(db, run)
    assert (run.status, run.attempts) == ("failed", 4)  # the first try and 3 retries
    assert run.error == "RuntimeError: batch 1 failed on purpose"


def test_worker_failure_waits_for_its_retry_as_queued(db, factory, redis_url):
    run = enqueue("diagnostics.batches", 1, fail_at=0, workspace_id=factory.workspace().id)
    _finish(_worker())
    run = stored(db, run)
    assert (run.status, run.attempts) == ("queued", 1)  # RQ retries it in 10 s
    assert "failed on purpose" in run.error


def test_cancel_a_queued_run_takes_it_off_the_queue(db, factory, redis_url):
    from rq import Queue

    from webapp.redis_conn import get_redis

    run = enqueue("diagnostics.batches", 2, workspace_id=factory.workspace().id)
    assert cancel(run) == "cancelled"
    assert Queue("default", connection=get_redis()).job_ids == []
    _finish(_worker())
    run = stored(db, run)
    assert (run.status, run.attempts, run.progress_done) == ("cancelled", 0, 0)


def test_cancel_a_running_run_stops_it_between_batches(db, factory, redis_url):
    run = enqueue("diagnostics.batches", 600, 0.05, workspace_id=factory.workspace().id)
    worker = _worker()
    try:
        running = _wait_for(db, run, lambda r: r.status == "running" and r.progress_done >= 2)
        assert cancel(running) == "running"  # asked; it stops at its next check
        ended = _wait_for(db, run, lambda r: r.status == "cancelled")
    finally:
        _finish(worker)
    assert 2 <= ended.progress_done < 600
    assert ended.message.startswith(f"Stopped after {ended.progress_done} of 600")
