"""Pipeline → Discover ("Save selected") and a query's "Run now", with the sandbox provider."""

from __future__ import annotations

import re

from markupsafe import escape

from tests.factories import signed_in
from tests.helpers import run_queued_jobs
from webapp.models import JobRun, Lead

DOMAIN = re.compile(r'name="domain" value="([^"]+)"')


def _leads(db, workspace):
    db.session.expire_all()
    return (
        db.session.execute(db.select(Lead).where(Lead.workspace_id == workspace.id)).scalars().all()
    )


def test_search_shows_results_and_saves_only_the_ticked_ones(client, db, factory, sandbox):
    workspace, _ = signed_in(client, factory, "admin")
    sandbox.use_for_intent(factory, workspace)
    form = {"query": "Warehouse robots", "location": "Austin, Texas, United States"}
    page = client.post_form("/pipeline/discover", form)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    domains = DOMAIN.findall(text)
    assert len(domains) == 25 and "Save selected" in text
    assert _leads(db, workspace) == []  # a search stores nothing
    saved = client.post_form("/pipeline/discover", {**form, "save": "1", "domain": domains[:2]})
    assert saved.status_code == 200
    leads = _leads(db, workspace)
    assert sorted(lead.company_domain for lead in leads) == sorted(domains[:2])
    assert all(lead.search_location == "Austin, Texas, United States" for lead in leads)
    assert "Saved before" not in saved.get_data(as_text=True)
    again = client.post_form("/pipeline/discover", form).get_data(as_text=True)
    assert again.count("Saved before") == 2 and len(DOMAIN.findall(again)) == 23


def test_a_rep_searches_but_cannot_save(client, db, factory, sandbox):
    workspace, _ = signed_in(client, factory, "rep")
    sandbox.use_for_intent(factory, workspace)
    form = {"query": "Warehouse robots"}
    page = client.post_form("/pipeline/discover", form)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "25 companies found" in text
    assert "Save selected" not in text and DOMAIN.findall(text) == []
    refused = client.post_form("/pipeline/discover", {**form, "save": "1", "domain": "a.example"})
    assert refused.status_code == 403
    assert _leads(db, workspace) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(JobRun)) == 0


def test_a_search_without_a_topic_or_provider_says_why(client, db, factory):
    signed_in(client, factory, "rep")
    missing = client.post_form("/pipeline/discover", {"query": ""})
    assert missing.status_code == 422 and "is required" in missing.get_data(as_text=True)
    unconfigured = client.post_form("/pipeline/discover", {"query": "Robots"})
    assert unconfigured.status_code == 502
    assert "not configured" in unconfigured.get_data(as_text=True)


def test_run_now_shows_the_run_and_its_leads(client, db, factory, sandbox):
    workspace, admin = signed_in(client, factory, "admin")
    sandbox.use_for_intent(factory, workspace)
    query = factory.discovery_query(workspace, topic="Edge computing", daily_limit=3)
    response = client.post_form(f"/pipeline/queries/{query.id}/run")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pipeline/queries/{query.id}")
    run_queued_jobs()
    run = db.session.execute(
        db.select(JobRun).where(JobRun.kind == "pipeline.discover_query")
    ).scalar_one()
    assert run.started_by == admin.id and run.subject_id == str(query.id)
    page = client.get(f"/pipeline/queries/{query.id}").get_data(as_text=True)
    assert f'id="job-run-{run.id}"' in page and "Done: 3 leads saved" in page
    for lead in _leads(db, workspace):
        assert str(escape(lead.company_name)) in page
