"""The pipeline on real RQ workers (PostgreSQL + Redis): retries, failures on /jobs, killed workers.

The sandbox runs in this process and answers the workers over HTTP; it is told to
fail or to slow down. Few tests, each as short as the recovery settings allow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.jobs.test_worker_recovery import FAST_RECOVERY, kill_worker, stop_worker, wait_until
from tests.pipeline.conftest import company_lead
from webapp import jobs
from webapp.jobs import enqueue
from webapp.models import JobRun, Lead
from webapp.models.enrichment import BillingEvent, LeadContact, LeadDelivery, PlatformUpload

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _needs_postgres(db, redis_url):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("worker processes share the database: needs DATABASE_URL (PostgreSQL)")


def _env(**extra) -> dict:
    return {**os.environ, **FAST_RECOVERY, "APP_ENV": "testing", "PYTHONPATH": str(ROOT), **extra}


def burst_worker() -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst", "--queues", "high,default,low"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "worker.py", "--queues", "high,default,low"],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _enrich(lead):
    return enqueue(
        "pipeline.enrich", str(lead.id), workspace_id=lead.workspace_id, subject=("lead", lead.id)
    )


def _fresh(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _count(db, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.execute(query).scalar_one()


def test_a_provider_5xx_is_retried_then_succeeds(db, factory, wired, sandbox, monkeypatch):
    monkeypatch.setattr(jobs, "RETRY_INTERVALS", [0, 0, 0])  # retries due at once
    # 4 failures: the HTTP client's own retries (3) all fail, so the job's attempt fails.
    sandbox.control(fail={"contacts": {"status": 503, "times": 4, "retry_after": 0}})
    lead = company_lead(db, factory, wired, intent="warm")
    run = _enrich(lead)
    burst_worker()

    run = _fresh(db, JobRun, run.id)
    assert (run.status, run.attempts) == ("succeeded", 2), run.error
    lead = _fresh(db, Lead, lead.id)
    assert (lead.enrichment_status, lead.enrichment_error) == ("completed", None)
    assert _count(db, LeadContact, lead_id=lead.id) == 4
    assert lead.delivery_status == "delivered" and lead.uploaded


def test_retries_exhausted_the_lead_is_failed_and_the_run_shows_on_jobs(
    client, db, factory, wired, sandbox, monkeypatch
):
    monkeypatch.setattr(jobs, "RETRY_INTERVALS", [0, 0, 0])
    sandbox.control(fail={"contacts": {"status": 502, "times": 1000, "retry_after": 0}})
    lead = company_lead(db, factory, wired)
    run = _enrich(lead)
    burst_worker()

    run = _fresh(db, JobRun, run.id)
    assert (run.status, run.attempts) == ("failed", 4)  # the first try and 3 retries
    lead = _fresh(db, Lead, lead.id)
    assert lead.enrichment_status == "failed" and "502" in lead.enrichment_error
    assert _count(db, LeadDelivery) == 0

    client.login(factory.user(wired, role="admin"))
    page = client.get(f"/jobs/{run.id}").get_data(as_text=True)
    assert "Lead enrichment" in page and "502" in page and ">Retry</button>" in page
    panel = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Failed</span>" in panel and "502" in panel


def test_workers_killed_mid_enrichment_and_mid_delivery_leave_no_duplicates(
    db, factory, wired, sandbox, monkeypatch
):
    monkeypatch.setattr(jobs, "RETRY_INTERVALS", [0, 0, 0])  # the killed enrichment's retry
    lead = company_lead(db, factory, wired, intent="hot")
    sandbox.control(delay_ms=600)  # every provider call takes 0.6 s
    run = _enrich(lead)
    workers = [start_worker()]
    try:
        # 1. killed while the contact provider answers
        assert wait_until(lambda: _fresh(db, Lead, lead.id).enrichment_status == "running", 60), (
            stop_worker(workers[0])[-3000:]
        )
        kill_worker(workers[0])
        workers.append(start_worker())

        # 2. killed while Slack answers: the e-mail is sent and recorded, Slack is "sending"
        def email_sent_slack_pending():
            db.session.expire_all()
            rows = {d.channel: d.status for d in db.session.execute(select(LeadDelivery)).scalars()}
            return rows.get("email") == "sent" and rows.get("slack") == "sending"

        assert wait_until(email_sent_slack_pending, 90, step=0.05), stop_worker(workers[1])[-3000:]
        kill_worker(workers[1])
        sandbox.control(delay_ms=0)
        workers.append(start_worker())
        finished = wait_until(lambda: _fresh(db, Lead, lead.id).uploaded, 120)
        log = stop_worker(workers[2])
        assert finished, log[-4000:]
    finally:
        sandbox.control(delay_ms=0)
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)

    lead = _fresh(db, Lead, lead.id)
    assert (lead.enrichment_status, lead.delivery_status) == ("completed", "partial")
    assert _count(db, LeadContact, lead_id=lead.id) == 4
    assert _count(db, LeadDelivery, lead_id=lead.id) == 3
    assert len(sandbox.received("email")) == 1  # recorded before the kill: never resent
    assert len(sandbox.received("slack")) <= 1  # in flight at the kill: at most once
    slack = db.session.execute(
        select(LeadDelivery).where(LeadDelivery.channel == "slack")
    ).scalar_one()
    assert slack.status == "unknown" and "use Redeliver" in slack.error
    assert len(sandbox.received("platforms")) == 1
    assert _count(db, PlatformUpload) == 1 and _count(db, BillingEvent) == 1
    enrich = _fresh(db, JobRun, run.id)
    assert enrich.status == "succeeded" and enrich.attempts == 2
