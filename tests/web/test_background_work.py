"""Long work leaves the request: bulk on all matching, webhook test and redeliver, the
duplicates scan. Each page shows its run in place, then the result. Without Redis the
job runs inline (and is still recorded); with Redis a real burst worker runs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import webapp.jobs.leads as lead_jobs
import webapp.services.leads.bulk as bulk_service
from tests.factories import signed_in
from webapp.jobs.registry import get_job
from webapp.jobs.runner import create_run, execute
from webapp.models import JobRun, Lead
from webapp.models.webhooks import WebhookDelivery, WebhookEndpoint

ROOT = Path(__file__).resolve().parents[2]
POLLING = 'hx-trigger="every 1s"'


@pytest.fixture()
def inline(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture()
def small_threshold(app, monkeypatch):
    monkeypatch.setitem(app.config, "BULK_JOB_THRESHOLD", 3)
    monkeypatch.setattr(lead_jobs, "BATCH", 2)  # several batches, so several progress reports


def burst_worker():
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "PYTHONPATH": str(ROOT),
        "WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr


def runs(db, kind):
    db.session.expire_all()
    return db.session.execute(db.select(JobRun).where(JobRun.kind == kind)).scalars().all()


def tagged(db, tag):
    db.session.expire_all()
    return sorted(
        lead.email
        for lead in db.session.execute(db.select(Lead)).scalars()
        if tag in {t.name for t in lead.tags}
    )


# -- bulk -----------------------------------------------------------------------


def test_bulk_on_many_matching_leads_is_a_job(client, db, factory, inline, small_threshold):
    workspace, admin = signed_in(client, factory)
    for n in range(5):
        factory.lead(workspace, email=f"many{n}@example.com")
    response = client.post_form(
        "/leads/bulk", {"scope": "all", "action": "add_tags", "tags": "vip"}
    )
    (run,) = runs(db, "leads.bulk")
    assert response.headers["Location"] == f"/leads?run={run.id}"
    assert (run.status, run.progress_done, run.progress_total) == ("succeeded", 5, 5)
    assert run.counts == {"changed": 5, "unchanged": 0} and run.started_by == admin.id
    assert len(tagged(db, "vip")) == 5
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done: 5 leads changed." in page and POLLING not in page


def test_bulk_on_a_few_leads_stays_in_the_request(client, db, factory, inline, small_threshold):
    workspace, _ = signed_in(client, factory)
    for n in range(3):
        factory.lead(workspace, email=f"few{n}@example.com")
    response = client.post_form(
        "/leads/bulk", {"scope": "all", "action": "add_tags", "tags": "vip"}, follow_redirects=True
    )
    assert "Done: 3 leads changed." in response.get_data(as_text=True)
    assert runs(db, "leads.bulk") == []


def test_a_bulk_job_refused_up_front_starts_nothing(client, db, factory, inline, small_threshold):
    workspace, _ = signed_in(client, factory, role="rep")
    for n in range(5):
        factory.lead(workspace, email=f"keep{n}@example.com")
    assert client.post_form("/leads/bulk", {"scope": "all", "action": "delete"}).status_code == 403
    response = client.post_form(
        "/leads/bulk", {"scope": "all", "action": "status", "status": "nonsense"}
    )
    assert response.status_code == 302 and runs(db, "leads.bulk") == []


TOO_MANY = "bulk actions take at most 4 leads and 5 match; narrow the filter"


def test_more_leads_than_a_bulk_action_takes_are_refused_in_the_request(
    client, db, factory, inline, small_threshold, monkeypatch
):
    monkeypatch.setattr(bulk_service, "MAX_BULK", 4)
    workspace, _ = signed_in(client, factory)
    for n in range(5):
        factory.lead(workspace, email=f"over{n}@example.com")
    response = client.post_form(
        "/leads/bulk", {"scope": "all", "action": "add_to_list", "list_name": "Everyone"}
    )
    assert response.status_code == 302 and runs(db, "leads.bulk") == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Nothing changed. Rows: {TOO_MANY}." in page
    assert tagged(db, "vip") == []


def test_a_bulk_job_over_the_limit_fails_once_without_retry(db, factory, monkeypatch):
    """More leads may match by the time the job runs: it fails at once, RQ does not retry."""
    monkeypatch.setattr(bulk_service, "MAX_BULK", 4)
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    for n in range(5):
        factory.lead(workspace, email=f"late{n}@example.com")
    spec = get_job("leads.bulk")
    run = create_run(spec, status="queued", workspace_id=workspace.id)
    request = bulk_service.BulkRequest(action="add_tags", lead_ids=None, tags="vip").to_job()
    args = (str(workspace.id), str(admin.id), True, "UTC", None, request)
    execute(spec, run.id, args, {}, will_retry=True, reraise=True)  # as RQ with retries left
    (run,) = runs(db, "leads.bulk")
    assert (run.status, run.error) == ("failed", f"Selection: {TOO_MANY}")
    assert tagged(db, "vip") == []


def test_bulk_job_through_a_real_worker(client, db, factory, small_threshold, redis_url):
    workspace, _ = signed_in(client, factory)
    for n in range(5):
        factory.lead(workspace, email=f"worker{n}@example.com")
    response = client.post_form(
        "/leads/bulk", {"scope": "all", "action": "add_tags", "tags": "vip"}
    )
    waiting = client.get(response.headers["Location"]).get_data(as_text=True)
    assert POLLING in waiting and "Waiting for a worker" in waiting
    assert tagged(db, "vip") == []
    burst_worker()
    (run,) = runs(db, "leads.bulk")
    assert (run.status, run.attempts, run.counts["changed"]) == ("succeeded", 1, 5)
    assert len(tagged(db, "vip")) == 5
    done = client.htmx("get", f"/jobs/{run.id}/progress?reload=1")
    assert done.headers["HX-Refresh"] == "true" and POLLING not in done.get_data(as_text=True)


# -- webhooks ---------------------------------------------------------------------


@pytest.fixture()
def hook(client, db, factory, app, monkeypatch, httpserver):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    httpserver.expect_request("/hook").respond_with_data("ok")
    workspace, _ = signed_in(client, factory)
    endpoint = WebhookEndpoint(
        workspace_id=workspace.id, url=httpserver.url_for("/hook"), event_types=["LeadCreated"]
    )
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def test_webhook_test_and_redeliver_are_recorded_runs(client, db, hook, inline, httpserver):
    page = client.post_form(f"/settings/webhooks/{hook.id}/test", follow_redirects=True)
    assert "Test event delivered (HTTP 200)." in page.get_data(as_text=True)
    (run,) = runs(db, "webhooks.test")
    assert (run.subject_type, run.subject_id) == ("webhook_endpoint", str(hook.id))
    assert run.counts == {"delivered": 1}
    delivery = db.session.execute(db.select(WebhookDelivery)).scalar_one()
    page = client.post_form(
        f"/settings/webhooks/{hook.id}/deliveries/{delivery.id}/redeliver", follow_redirects=True
    )
    assert f"Event {delivery.event_id} delivered (HTTP 200)." in page.get_data(as_text=True)
    assert [r.status for r in runs(db, "webhooks.redeliver")] == ["succeeded"]
    assert len(httpserver.log) == 2


def test_an_undelivered_webhook_test_is_a_failed_run(client, db, hook, inline, httpserver):
    httpserver.clear()
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    page = client.post_form(f"/settings/webhooks/{hook.id}/test", follow_redirects=True)
    (run,) = runs(db, "webhooks.test")
    assert (run.status, run.attempts, run.counts) == ("failed", 1, {"not_delivered": 1})
    assert run.error.startswith("Test event not delivered") and "GiveUp" not in run.error
    assert "Test event not delivered" in page.get_data(as_text=True)
    assert len(httpserver.log) == 1  # failed for good: the job itself is not retried


def test_webhook_test_through_a_real_worker(client, db, hook, httpserver, redis_url):
    page = client.post_form(f"/settings/webhooks/{hook.id}/test", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert POLLING in html and "Webhook test event" in html and httpserver.log == []
    burst_worker()
    assert len(httpserver.log) == 1
    db.session.expire_all()  # the test's session outlives requests; a real one would not
    page = client.get(f"/settings/webhooks/{hook.id}").get_data(as_text=True)
    assert "Test event delivered (HTTP 200)." in page and POLLING not in page


# -- duplicates -------------------------------------------------------------------


def jon_and_jonathon(factory, workspace):
    return tuple(
        factory.lead(
            workspace,
            first_name=first,
            last_name="Doe",
            email=f"{first.lower()}@acmewidgets.com",
            company_name="Acme Widgets",
        )
        for first in ("Jonathan", "Jonathon")
    )


def test_duplicates_scan_is_a_recorded_run(client, db, factory, inline):
    workspace, _ = signed_in(client, factory)
    jonathan, jonathon = jon_and_jonathon(factory, workspace)
    page = client.get("/duplicates").get_data(as_text=True)
    assert "Jonathon Doe" in page and "Scan again" in page
    (run,) = runs(db, "duplicates.scan")
    assert (run.status, run.counts, run.progress_done) == ("succeeded", {"pairs": 1}, 2)
    client.post_form(
        "/duplicates/merge", {"keep_id": str(jonathan.id), "other_id": str(jonathon.id)}
    )
    assert "No likely duplicates." in client.get("/duplicates").get_data(as_text=True)
    client.post_form("/duplicates/scan")
    assert len(runs(db, "duplicates.scan")) == 2


def test_duplicates_scan_through_a_real_worker(client, db, factory, redis_url):
    workspace, _ = signed_in(client, factory)
    jon_and_jonathon(factory, workspace)
    first = client.get("/duplicates").get_data(as_text=True)
    assert POLLING in first and "Jonathon Doe" not in first and "Scan again" not in first
    burst_worker()
    db.session.expire_all()
    page = client.get("/duplicates").get_data(as_text=True)
    assert "Jonathon Doe" in page and POLLING not in page


def test_a_rep_does_not_poll_a_colleagues_scan(client, db, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    admin = factory.user(workspace, role="admin")
    db.session.add(
        JobRun(kind="duplicates.scan", workspace_id=workspace.id, started_by=admin.id, args=[])
    )
    db.session.commit()
    page = client.get("/duplicates").get_data(as_text=True)
    assert POLLING not in page and "A colleague's scan is running" in page
