"""The enqueue facade: inline without Redis, a real RQ worker with it; each run recorded."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from webapp.jobs import enqueue
from webapp.models import JobRun, LeadActivity

ROOT = Path(__file__).resolve().parents[2]


def _activities(db, lead):
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(LeadActivity).where(
                LeadActivity.lead_id == lead.id, LeadActivity.activity_type == "note_added"
            )
        )
        .scalars()
        .all()
    )


def run_burst_worker(*extra, queues="default"):
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst", "--queues", queues, *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    exited = datetime.now()
    assert done.returncode == 0, done.stderr
    # It exits promptly once done (issue 19; many more runs in test_worker_shutdown.py).
    # The log's local time, to the millisecond: "2026-12-04 20:39:30,573 INFO ...".
    done_line = next(line for line in done.stderr.splitlines() if "done, quitting" in line)
    done_at = datetime.strptime(done_line[:23], "%Y-%m-%d %H:%M:%S,%f")
    assert (exited - done_at).total_seconds() < 5
    return done


def test_inline_when_redis_is_not_configured(app, db, factory, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    workspace = factory.workspace()
    lead = factory.lead(workspace)
    run = enqueue(
        "leads.record_activity",
        workspace.id,
        lead.id,
        "note_added",
        "from an inline job",
        workspace_id=workspace.id,
    )
    assert run.status == "succeeded" and run.attempts == 1
    assert run.finished_at is not None and run.started_at is not None
    assert [a.description for a in _activities(db, lead)] == ["from an inline job"]


def test_real_worker_runs_the_job(app, db, factory, redis_url):
    workspace = factory.workspace()
    lead = factory.lead(workspace)
    run = enqueue(
        "leads.record_activity",
        str(workspace.id),
        str(lead.id),
        "note_added",
        "from the worker",
        workspace_id=workspace.id,
    )
    assert _activities(db, lead) == []  # queued, not run
    assert db.session.get(JobRun, run.id).status == "queued"  # visible before the worker
    assert run.rq_job_id == str(run.id)

    run_burst_worker()
    assert [a.description for a in _activities(db, lead)] == ["from the worker"]
    db.session.expire_all()
    stored = db.session.get(JobRun, run.id)
    assert (stored.status, stored.attempts) == ("succeeded", 1)

    from rq.job import Job

    from webapp.redis_conn import get_redis

    assert Job.fetch(run.rq_job_id, connection=get_redis()).get_status() == "finished"


def test_rq_cli_worker_class_builds_the_app(app, db, factory, redis_url):
    workspace = factory.workspace()
    lead = factory.lead(workspace)
    run = enqueue(
        "leads.record_activity",
        str(workspace.id),
        str(lead.id),
        "note_added",
        "from rq worker",
        workspace_id=workspace.id,
    )
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    rq = Path(sys.executable).with_name("rq")
    done = subprocess.run(
        [
            str(rq),
            "worker",
            "--burst",
            "--url",
            redis_url,
            "-w",
            "webapp.jobs.app_worker.AppWorker",
            "default",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [a.description for a in _activities(db, lead)] == ["from rq worker"]
    db.session.expire_all()
    assert db.session.get(JobRun, run.id).status == "succeeded"


def _worker_in_a_clean_env(tmp_path, **env):
    """`python worker.py` as the README has it: a fresh shell, only the checkout's files."""
    clean = {"PATH": os.environ["PATH"], "INSTANCE_PATH": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_worker_reads_flaskenv_as_the_flask_command_does(tmp_path):
    # .flaskenv says APP_ENV=development: no SECRET_KEY needed; it gets as far as Redis.
    done = _worker_in_a_clean_env(tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Leadkeeper development:" in done.stderr
    assert done.stderr.endswith("REDIS_URL is not set: jobs run inline in the web process.\n")
    # A real environment variable wins over the file: production still wants a key.
    refused = _worker_in_a_clean_env(tmp_path, APP_ENV="production")
    assert refused.returncode == 1 and "SECRET_KEY is not set" in refused.stderr
