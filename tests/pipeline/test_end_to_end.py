"""Issue 16 end to end: a saved query's run, through real RQ workers, to an uploaded lead.

The sandbox provider over real HTTP (intent, contacts, Slack, platforms), e-mail over SMTP
to aiosmtpd, our signed webhooks to a local HTTP server; `worker.py --burst` subprocesses
take the jobs from Redis. One run tree on /jobs: discovery → enrichment → delivery → upload.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from tests.factories import signed_in
from tests.pipeline.conftest import RECIPIENT
from webapp.jobs import enqueue
from webapp.jobs.discovery import DISCOVER_QUERY
from webapp.models import JobRun, Lead
from webapp.models.enrichment import LeadContact, LeadDelivery
from webapp.models.providers import DeliverySettings
from webapp.services.pipeline_settings.demo import wire_to_sandbox

ROOT = Path(__file__).resolve().parents[2]
CHAIN = ["pipeline.discover_query", "pipeline.enrich", "pipeline.deliver", "pipeline.upload"]


class Workers:
    """`count` RQ workers (`worker.py`) until the chain has run; then a clean stop."""

    def __init__(self, env_extra: dict, count: int = 2):
        env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT), **env_extra}
        self.processes = [
            subprocess.Popen(
                [sys.executable, "worker.py"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for _ in range(count)
        ]

    def wait_until_idle(self, db, workspace_id, timeout: float = 90) -> None:
        """Until the workspace has runs and none is queued or running (the chain ended)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            db.session.expire_all()
            runs = db.session.execute(
                select(JobRun.kind, JobRun.status, JobRun.error).where(
                    JobRun.workspace_id == workspace_id
                )
            ).all()
            statuses = [r.status for r in runs]
            if statuses and not set(statuses) & {"queued", "running"}:
                return
            time.sleep(0.2)
        raise AssertionError(f"the chain did not end: {[tuple(r) for r in runs]}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def test_a_query_run_ends_in_hot_leads_enriched_delivered_and_uploaded(
    app, db, factory, client, sandbox, smtp_server, httpserver, redis_url
):
    inbox, smtp_port = smtp_server
    workspace, admin = signed_in(client, factory, role="admin")
    wire_to_sandbox(db.session, workspace.id, sandbox.url, RECIPIENT)
    settings = db.session.execute(
        select(DeliverySettings).where(DeliverySettings.workspace_id == workspace.id)
    ).scalar_one()
    settings.email_transport = "smtp"
    db.session.commit()
    httpserver.expect_request("/hooks").respond_with_data("ok")
    factory.webhook_endpoint(
        workspace, url=httpserver.url_for("/hooks"), event_types=["LeadDelivered"]
    )
    query = factory.discovery_query(
        workspace, topic="AI automation tools", industries=["Technology"], daily_limit=3
    )

    workers = Workers({"SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "WEBHOOKS_ALLOW_PRIVATE": "1"})
    try:
        run = enqueue(DISCOVER_QUERY, str(query.id), workspace_id=workspace.id, started_by=admin.id)
        workers.wait_until_idle(db, workspace.id)
        deadline = time.monotonic() + 20  # the webhooks' relay records no run: wait for them
        while len(httpserver.log) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        workers.stop()

    db.session.expire_all()
    top = db.session.get(JobRun, run.id)
    assert top.status == "succeeded", top.error
    leads = db.session.scalars(select(Lead).where(Lead.workspace_id == workspace.id)).all()
    assert len(leads) == 3
    hot = [lead for lead in leads if lead.intent == "hot"]
    assert hot, [lead.intent for lead in leads]
    for lead in leads:
        assert lead.enrichment_status == "completed", lead.enrichment_error
        assert lead.delivery_status == "delivered"
        contacts = db.session.scalars(select(LeadContact).where(LeadContact.lead_id == lead.id))
        assert list(contacts)
        channels = {
            d.channel: d.status
            for d in db.session.scalars(select(LeadDelivery).where(LeadDelivery.lead_id == lead.id))
        }
        assert channels == {"email": "sent", "slack": "sent", "webhook": "sent"}
        # seed 001: hot and warm are uploaded, cold stays for nurturing
        assert lead.uploaded == (lead.intent in ("hot", "warm")), lead.intent
    for lead in hot:
        assert lead.upload_platform == "tech-platform"

    assert len(inbox.messages) == len(leads)  # e-mail over SMTP, one a lead
    assert {m.rcpt_tos[0] for m in inbox.messages} == {RECIPIENT}
    assert len(sandbox.received("slack")) == len(leads)
    uploaded = {item["lead"]["id"] for item in sandbox.received("platforms")}
    assert {str(lead.id) for lead in hot} <= uploaded
    hooks = [request for request, _ in httpserver.log]
    assert len(hooks) >= len(leads) and all(r.headers.get("webhook-signature") for r in hooks)

    # One run tree: every step a descendant of the query's run, all succeeded.
    runs = db.session.scalars(select(JobRun).where(JobRun.workspace_id == workspace.id)).all()
    by_id = {r.id: r for r in runs}

    def root_of(r):
        while r.parent_id is not None:
            r = by_id[r.parent_id]
        return r

    assert {r.kind for r in runs} >= set(CHAIN)
    assert all(root_of(r).id == top.id for r in runs if r.kind in CHAIN)
    assert all(r.status == "succeeded" for r in runs if r.kind in CHAIN), [
        (r.kind, r.status, r.error) for r in runs
    ]
    hot_upload = next(
        r for r in runs if r.kind == "pipeline.upload" and r.args[0] == str(hot[0].id)
    )
    chain = [hot_upload]
    while chain[-1].parent_id is not None:
        chain.append(by_id[chain[-1].parent_id])
    assert [r.kind for r in reversed(chain)] == CHAIN
    page = client.get(f"/jobs/{top.id}").get_data(as_text=True)
    assert "Lead enrichment" in page
