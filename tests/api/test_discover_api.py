"""POST /api/leads/discover (seed 002) and POST /api/v1/pipeline/queries/{id}/run,
against the sandbox intent provider over real HTTP."""

from __future__ import annotations

import uuid

from tests.helpers import run_queued_jobs
from webapp.jobs import enqueue
from webapp.jobs.discovery import DISCOVER_QUERY
from webapp.models import AuditLog, JobRun, Lead
from webapp.services.accounts.api_tokens import create_token

URL = "/api/leads/discover"


def _desk(db, factory, sandbox):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    sandbox.use_for_intent(factory, workspace)
    secret = create_token(db.session, workspace.id, "Discovery", admin.id).secret
    db.session.commit()
    return workspace, {"Authorization": f"Bearer {secret}"}


def _leads(db, workspace):
    db.session.expire_all()
    return (
        db.session.execute(db.select(Lead).where(Lead.workspace_id == workspace.id)).scalars().all()
    )


def test_discover_without_saving_stores_nothing(client, db, factory, sandbox):
    workspace, auth = _desk(db, factory, sandbox)
    body = {"query": "CTO tech companies", "mode": "company", "location": "San Francisco",
            "limit": 5}  # fmt: skip
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert set(answer) >= {"success", "leads", "count", "saved", "duplicates", "searchId"}
    assert (answer["success"], answer["count"], answer["saved"], answer["duplicates"]) == (
        True, 5, 0, 0,
    )  # fmt: skip
    first = answer["leads"][0]
    assert first["type"] == "COMPANY" and first["id"] is None
    assert first["leadName"] and first["domain"] and first["website"].startswith("https://")
    assert "San Francisco" in first["location"]
    assert first["intent"] in ("hot", "warm", "cold") and 0 <= first["leadScore"] <= 100
    assert first["signals"] and first["intentExplanation"].startswith(first["intent"])
    assert _leads(db, workspace) == []


def test_discover_and_save_then_again_counts_duplicates(client, db, factory, sandbox):
    workspace, auth = _desk(db, factory, sandbox)
    body = {"query": "Data platforms", "industry": "Technology", "tech_stack": "Python",
            "saveToDatabase": True, "limit": 4}  # fmt: skip
    answer = client.post(URL, json=body, headers=auth).get_json()
    assert (answer["count"], answer["saved"], answer["duplicates"]) == (4, 4, 0)
    leads = _leads(db, workspace)
    assert len(leads) == 4
    assert {lead.source_id for lead in leads} == {answer["searchId"]}
    assert {str(lead.id) for lead in leads} == {item["id"] for item in answer["leads"]}
    assert all(lead.search_tech_stack == "Python" for lead in leads)
    assert all(lead.search_industry == "Technology" for lead in leads)
    again = client.post(URL, json=body, headers=auth).get_json()
    assert (again["saved"], again["duplicates"]) == (0, 4)
    assert all(item["duplicate"] for item in again["leads"])
    assert len(_leads(db, workspace)) == 4
    audit = (
        db.session.execute(db.select(AuditLog).where(AuditLog.action == "api.leads.discovered"))
        .scalars()
        .all()
    )
    assert len(audit) == 2


def test_saving_stops_at_the_credit_limit_and_says_so(client, db, factory, sandbox):
    workspace, auth = _desk(db, factory, sandbox)
    workspace.daily_credit_limit = 2
    db.session.commit()
    body = {"query": "Security", "saveToDatabase": True, "limit": 4}
    answer = client.post(URL, json=body, headers=auth).get_json()
    assert (answer["count"], answer["saved"]) == (4, 2)
    assert "Daily credit limit reached" in answer["message"]
    assert len(_leads(db, workspace)) == 2


def test_bad_requests_answer_the_one_error_shape(client, db, factory, sandbox):
    _, auth = _desk(db, factory, sandbox)
    response = client.post(URL, json={"query": " ", "mode": "person", "limit": 0}, headers=auth)
    assert response.status_code == 422
    error = response.get_json()
    assert set(error) == {"error", "message", "status", "errors"}
    assert set(error["errors"]) == {"query", "mode", "limit"}
    guessed = client.post(URL, json={"query": "x", "saveToDatabase": "yes"}, headers=auth)
    assert guessed.status_code == 422  # true or false, never a guess
    assert guessed.get_json()["errors"]["saveToDatabase"] == ["must be true or false"]
    assert client.post(URL, json={"query": "x"}).status_code == 401
    assert client.post(URL, data="nope", headers=auth).status_code in (400, 415)
    sandbox.control(fail={"intent": {"status": 401, "times": 5}})
    failed = client.post(URL, json={"query": "x"}, headers=auth)
    assert failed.status_code == 502 and failed.get_json()["status"] == 502


def test_run_a_query_now_answers_202_with_the_run(client, db, factory, sandbox):
    workspace, auth = _desk(db, factory, sandbox)
    query = factory.discovery_query(workspace, topic="Fintech", daily_limit=2)
    response = client.post(f"/api/v1/pipeline/queries/{query.id}/run", headers=auth)
    assert response.status_code == 202
    answer = response.get_json()
    assert answer["kind"] == "pipeline.discover_query"
    assert (answer["subject_type"], answer["subject_id"]) == ("discovery_query", str(query.id))
    assert answer["url"] == f"http://localhost/api/v1/pipeline/runs/{answer['run_id']}"
    assert response.headers["Location"] == answer["url"]
    run_queued_jobs()
    polled = client.get(answer["url"], headers=auth).get_json()
    assert polled["run_id"] == answer["run_id"] and polled["status"] == "succeeded"
    assert polled["counts"]["created"] == 2 and polled["finished_at"]
    db.session.expire_all()
    run = db.session.get(JobRun, uuid.UUID(answer["run_id"]))
    assert run.status == "succeeded" and run.subject_id == str(query.id)
    assert len(_leads(db, workspace)) == 2
    other = factory.discovery_query(factory.workspace())
    assert client.post(f"/api/v1/pipeline/queries/{other.id}/run", headers=auth).status_code == 404
    assert client.post(f"/api/v1/pipeline/queries/{query.id}/run").status_code == 401


def test_both_run_triggers_answer_one_shape_and_only_pipeline_runs_are_polled(
    client, db, factory, sandbox
):
    workspace, auth = _desk(db, factory, sandbox)
    query = factory.discovery_query(workspace, topic="Fintech", daily_limit=1)
    lead = factory.lead(workspace, source="discovery", company_domain="bluepulse.com")
    ran = client.post(f"/api/v1/pipeline/queries/{query.id}/run", headers=auth)
    enriched = client.post(f"/api/v1/leads/{lead.id}/enrich", headers=auth)
    assert ran.status_code == enriched.status_code == 202
    assert ran.get_json().keys() == enriched.get_json().keys()
    assert enriched.headers["Location"] == enriched.get_json()["url"]

    poll = "/api/v1/pipeline/runs/{}"
    assert client.get(poll.format(ran.get_json()["run_id"])).status_code == 401
    other = factory.workspace()
    theirs = factory.discovery_query(other)
    their_run = enqueue(DISCOVER_QUERY, theirs.id, workspace_id=other.id)
    db.session.commit()
    assert client.get(poll.format(their_run.id), headers=auth).status_code == 404
    not_pipeline = JobRun(workspace_id=workspace.id, kind="duplicates.scan", status="queued")
    db.session.add(not_pipeline)
    db.session.commit()
    assert client.get(poll.format(not_pipeline.id), headers=auth).status_code == 404
    assert client.get(poll.format("nope"), headers=auth).status_code == 404


def test_both_endpoints_are_in_the_openapi_document(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["paths"]["/api/leads/discover"]["post"]["operationId"] == "discoverLeads"
    for path in ("/api/v1/pipeline/queries/{query_id}/run", "/api/v1/leads/{lead_id}/enrich"):
        started = document["paths"][path]["post"]["responses"]["202"]
        assert started["content"]["application/json"]["schema"]["$ref"].endswith("/JobRun")
        assert "Location" in started["headers"]
    polled = document["paths"]["/api/v1/pipeline/runs/{run_id}"]["get"]["responses"]["200"]
    assert polled["content"]["application/json"]["schema"]["$ref"].endswith("/JobRun")
    assert "saveToDatabase" in document["components"]["schemas"]["DiscoverRequest"]["properties"]
