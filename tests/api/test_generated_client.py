"""A Python client generated from the live OpenAPI document works (issue 18).

Consumers generate clients rather than write them, so the document is the product:
`openapi-python-client` builds one from /api/v1/openapi.json into a temporary folder,
and the test works a lead with it against a live server on the real database,
checking each typed answer, not only its status code. New endpoints join this test
as they land.
"""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from werkzeug.serving import make_server

from webapp.models.forms import CaptureForm
from webapp.services.accounts.api_tokens import create_token

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "leadkeeper_client"


@pytest.fixture(scope="module")
def document(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


@pytest.fixture(scope="module")
def lk(document, tmp_path_factory):
    """The generated client package, imported."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "openapi.json").write_text(json.dumps(document))
    (folder / "config.yaml").write_text("post_hooks: []\n")  # no formatter run on the output
    command = [
        str(GENERATOR),
        "generate",
        "--path",
        str(folder / "openapi.json"),
        "--output-path",
        str(folder / PACKAGE),
        "--meta",
        "none",
        "--config",
        str(folder / "config.yaml"),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout, run.stdout  # nothing of the document was skipped
    sys.path.insert(0, str(folder))
    try:
        for part in ("models", "types"):
            importlib.import_module(f"{PACKAGE}.{part}")
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _api(name: str):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


@pytest.fixture()
def live_server(app, db):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace(slug="generated")
    admin = factory.user(workspace, role="admin", name="Ada Admin")
    rep = factory.user(workspace, role="rep", name="Rex Rep")
    older = [factory.lead(workspace, email=f"old{n}@example.com") for n in range(6)]
    form = CaptureForm(workspace_id=workspace.id, name="Website")
    db.session.add(form)
    secret = create_token(db.session, workspace.id, "generated client", admin.id).secret
    db.session.commit()
    return {
        "admin": admin,
        "rep": rep,
        "older": older,
        "form_key": form.public_key,
        "token": secret,
    }


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():  # every body is one object with its properties
        if schema.get("type") == "object":
            assert "anyOf" not in schema and "oneOf" not in schema, name
    for name in ("CaptureRequest", "NewActivity", "StatusChange", "Assignment"):
        assert schemas[name]["type"] == "object" and schemas[name]["properties"], name
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for code, answer in operation["responses"].items():
                if code.startswith(("4", "5")) and path != "/health":
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith(("/Error", "/StatusConflict")), (path, method, code)


def _capture(lk, client, form_key: str, **fields):
    body = lk.models.CaptureRequest(**fields)
    return _api("capture.capture_lead").sync_detailed(client=client, body=body, x_form_key=form_key)


def test_capture_with_a_generated_client(lk, live_server, desk):
    m = lk.models
    public = lk.Client(base_url=live_server)
    person = {
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "phone": "+1 415 555 0100",
        "company": "Navy Labs",
        "source": m.CaptureSource.REFERRAL,
    }
    first = _capture(lk, public, desk["form_key"], **person)
    assert first.status_code == 201
    created = first.parsed
    assert isinstance(created, m.CaptureResult)
    assert (created.name, created.email) == ("Grace Hopper", "grace@example.com")
    assert created.status == m.LeadStatus.NEW
    assert isinstance(created.id, uuid.UUID) and created.created_at.tzinfo is not None

    again = _capture(lk, public, desk["form_key"], **{**person, "message": "Still keen"})
    assert again.status_code == 200 and again.parsed.id == created.id

    nameless = _capture(lk, public, desk["form_key"], email="anon@example.com")
    assert nameless.status_code == 422 and isinstance(nameless.parsed, m.Error)
    assert nameless.parsed.errors["name"] == ["is required"]
    assert nameless.parsed.status == 422 and nameless.parsed.message
    unknown = _capture(lk, public, "pk_nope", **person)
    assert unknown.status_code == 404 and "form key" in unknown.parsed.message


def _all_pages(lk, client, **filters) -> list:
    items, page = [], 1
    while True:
        answer = _api("admin_api.list_leads").sync(client=client, page=page, limit=3, **filters)
        assert isinstance(answer, lk.models.LeadPage) and answer.page == page
        items += answer.items
        if page * answer.limit >= answer.total:
            return items
        page += 1


def _all_by_cursor(lk, client, **filters) -> list:
    items, cursor, rounds = [], lk.types.UNSET, 0
    while True:
        answer = _api("admin_api.list_leads").sync(client=client, limit=2, cursor=cursor, **filters)
        assert isinstance(answer, lk.models.LeadPage) and len(answer.items) <= 2
        items += answer.items
        rounds += 1
        assert rounds < 20, "the cursor does not move on"
        if answer.next_cursor is None:
            return items
        cursor = answer.next_cursor


def test_list_and_page_through_every_lead(lk, live_server, desk):
    m = lk.models
    _capture(lk, lk.Client(base_url=live_server), desk["form_key"], name="Grace Hopper",
             email="grace@example.com", source=m.CaptureSource.REFERRAL)  # fmt: skip
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])
    referred = _api("admin_api.list_leads").sync(client=admin, source=m.LeadSource.REFERRAL)
    assert referred.total == 1 and referred.next_cursor is None
    [grace] = referred.items
    assert isinstance(grace, m.LeadSummary) and grace.email == "grace@example.com"
    assert grace.source == m.LeadSource.REFERRAL and grace.assigned_to is None
    found = _api("admin_api.list_leads").sync(client=admin, q="hopper", status=m.LeadStatus.NEW)
    assert [item.id for item in found.items] == [grace.id]

    every_id = {str(lead.id) for lead in desk["older"]} | {str(grace.id)}
    by_page = _all_pages(lk, admin)
    by_cursor = _all_by_cursor(lk, admin)
    assert len(by_page) == len(by_cursor) == 7
    assert [i.id for i in by_page] == [i.id for i in by_cursor]  # newest first, both ways
    assert {str(i.id) for i in by_cursor} == every_id
    by_name = _all_by_cursor(lk, admin, sort=m.LeadSort.NAME, direction=m.SortDirection.ASC)
    names = [item.name.lower() for item in by_name]
    assert names == sorted(names) and len(set(i.id for i in by_name)) == 7

    refused = _api("admin_api.list_leads").sync_detailed(client=admin, cursor="not-a-cursor")
    assert refused.status_code == 422 and "cursor" in refused.parsed.errors


def test_work_a_lead_with_a_generated_client(lk, live_server, desk):
    m = lk.models
    created = _capture(lk, lk.Client(base_url=live_server), desk["form_key"],
                       name="Grace Hopper", email="grace@example.com",
                       phone="+14155550100", company="Navy Labs").parsed  # fmt: skip
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])
    lead_id = created.id

    detail = _api("admin_api.get_lead").sync(lead_id, client=admin)
    assert isinstance(detail, m.LeadDetail)
    assert (detail.name, detail.phone, detail.company) == (
        "Grace Hopper",
        "+14155550100",
        "Navy Labs",
    )
    assert detail.status == m.LeadStatus.NEW and detail.priority == m.Priority.MEDIUM
    assert [a.activity_type for a in detail.activities] == ["created"]
    assert isinstance(detail.activities[0], m.Activity) and detail.activities_total == 1

    change = _api("admin_api.change_lead_status")
    moved = change.sync_detailed(
        lead_id, client=admin, body=m.StatusChange(status=m.LeadStatus.CONTACTED, notes="Called")
    )
    assert moved.status_code == 200 and isinstance(moved.parsed, m.StatusChanged)
    assert moved.parsed.status == m.LeadStatus.CONTACTED and moved.parsed.id == lead_id
    stale = change.sync_detailed(
        lead_id,
        client=admin,
        body=m.StatusChange(status=m.LeadStatus.QUALIFIED, expected_status=m.LeadStatus.NEW),
    )
    assert stale.status_code == 409 and isinstance(stale.parsed, m.StatusConflict)
    assert stale.parsed.current_status == m.LeadStatus.CONTACTED and stale.parsed.status == 409

    log = _api("admin_api.add_lead_activity")
    note = log.sync_detailed(
        lead_id,
        client=admin,
        body=m.NewActivity(activity_type=m.ClientActivityType.NOTE_ADDED, description="Pricing"),
    )
    assert note.status_code == 201 and isinstance(note.parsed, m.Activity)
    assert note.parsed.description == "Pricing" and note.parsed.performed_by == desk["admin"].id
    contact = log.sync(
        lead_id, client=admin, body=m.NewActivity(activity_type=m.ClientActivityType.CONTACTED)
    )
    assert contact.activity_type == "contacted" and contact.description is None
    empty_note = log.sync_detailed(
        lead_id, client=admin, body=m.NewActivity(activity_type=m.ClientActivityType.NOTE_ADDED)
    )
    assert empty_note.status_code == 422
    assert empty_note.parsed.errors["description"] == ["is required for a note"]

    assign = _api("admin_api.assign_lead")
    given = assign.sync(lead_id, client=admin, body=m.Assignment(assigned_to=desk["rep"].id))
    assert isinstance(given, m.Assigned) and given.assigned_to == desk["rep"].id

    detail = _api("admin_api.get_lead").sync(lead_id, client=admin)
    assert detail.assigned_to == desk["rep"].id and detail.status == m.LeadStatus.CONTACTED
    kinds = [a.activity_type for a in detail.activities]
    assert kinds[:4] == ["assigned", "contacted", "note_added", "status_changed"]

    missing = _api("admin_api.get_lead").sync_detailed(uuid.uuid4(), client=admin)
    assert missing.status_code == 404 and isinstance(missing.parsed, m.Error)
    stranger = lk.AuthenticatedClient(base_url=live_server, token="lk_not-a-token")
    refused = _api("admin_api.get_lead").sync_detailed(lead_id, client=stranger)
    assert refused.status_code == 401 and refused.parsed.errors.additional_properties == {}


def test_lead_lists_with_a_generated_client(lk, live_server, desk, factory):
    m = lk.models
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])
    made = _api("admin_api.create_lead_list").sync_detailed(
        client=admin, body=m.NewLeadList(name="Spring donors", tags=["Donors"])
    )
    assert made.status_code == 201 and isinstance(made.parsed, m.LeadListSummary)
    assert made.parsed.type_ == m.ListType.STATIC and made.parsed.tags == ["donors"]
    assert made.parsed.member_count == 0 and made.parsed.created_by == "Ada Admin"
    again = _api("admin_api.create_lead_list").sync_detailed(
        client=admin, body=m.NewLeadList(name="Spring donors")
    )
    assert again.status_code == 422 and "name" in again.parsed.errors
    lead_list = factory.lead_list(
        desk["rep"].memberships[0].workspace, name="Called", leads=desk["older"][:3]
    )
    found = _api("admin_api.list_lead_lists").sync(client=admin, q="call")
    assert isinstance(found, m.LeadListPage) and [i.name for i in found.items] == ["Called"]
    assert found.items[0].member_count == 3
    members = _api("admin_api.list_lead_list_members").sync(lead_list.id, client=admin, limit=2)
    assert isinstance(members, m.ListMemberPage) and members.total == 3
    assert len(members.items) == 2 and isinstance(members.items[0], m.ListMember)
    missing = _api("admin_api.list_lead_list_members").sync_detailed(uuid.uuid4(), client=admin)
    assert missing.status_code == 404 and isinstance(missing.parsed, m.Error)


def test_import_a_file_with_a_generated_client(lk, live_server, desk):
    """POST /api/v1/imports (multipart), then its progress and its error report."""
    m = lk.models
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])
    data = b"E-mail,First Name\r\nada@example.com,Ada\r\nnot-an-email,Bob\r\n"
    upload = m.ImportUpload(
        file=lk.types.File(payload=io.BytesIO(data), file_name="people.csv", mime_type="text/csv"),
        duplicate_policy=m.DuplicatePolicy.FILL,
        list_name="Generated import",
        tags="generated",
    )
    started = _api("admin_api.create_import").sync_detailed(client=admin, body=upload)
    assert started.status_code == 202, started.content
    imp = started.parsed
    assert isinstance(imp, m.ImportStatus) and imp.file_name == "people.csv"
    assert imp.duplicate_policy == m.DuplicatePolicy.FILL and isinstance(imp.run_id, uuid.UUID)
    deadline = time.monotonic() + 60
    while imp.status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)  # with Redis the run waits for a worker; inline it has finished
        imp = _api("admin_api.get_import").sync(imp.id, client=admin)
        if imp.status == "queued" and time.monotonic() > deadline - 55:
            break  # no worker in this test: queued is the answer
    if imp.status == "finished":
        assert (imp.created, imp.invalid, imp.done, imp.total) == (1, 1, 2, 2)
        as_json = admin.with_headers({"Accept": "application/json"})
        errors = _api("admin_api.get_import_errors").sync(imp.id, client=as_json)
        assert isinstance(errors, m.ImportErrors) and errors.total == 1
        assert errors.items[0].line == 3 and "Email" in errors.items[0].reason
    else:
        assert imp.status == "queued" and imp.done == 0
    refused = _api("admin_api.create_import").sync_detailed(
        client=admin,
        body=m.ImportUpload(
            file=lk.types.File(payload=io.BytesIO(b"Name\r\nAda\r\n"), file_name="x.csv")
        ),
    )
    assert refused.status_code == 422 and "mapping" in refused.parsed.errors
    missing = _api("admin_api.get_import").sync_detailed(uuid.uuid4(), client=admin)
    assert missing.status_code == 404 and isinstance(missing.parsed, m.Error)


def test_read_campaigns_with_a_generated_client(lk, live_server, desk, db, factory):
    from webapp.models import Workspace
    from webapp.services.campaigns.assignment import assign_list

    m = lk.models
    workspace = db.session.execute(db.select(Workspace).where(Workspace.slug == "generated"))
    workspace = workspace.scalar_one()
    donors = factory.lead_list(workspace, leads=desk["older"][:4], name="Major donors")
    campaign = factory.campaign(workspace, name="Year End", status="active", max_attempts=4)
    assign_list(db.session, campaign, donors, filter_criteria={"intent": ["unrated"]})
    factory.campaign(workspace, name="Old", is_archived=True)
    db.session.commit()
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])

    page = _api("admin_api.list_campaigns").sync(client=admin)
    assert isinstance(page, m.CampaignPage) and page.total == 1
    [summary] = page.items
    assert isinstance(summary, m.CampaignSummary)
    assert (summary.name, summary.status, summary.total_leads) == (
        "Year End",
        m.CampaignStatus.ACTIVE,
        4,
    )
    archived = _api("admin_api.list_campaigns").sync(client=admin, archived=True)
    assert [c.name for c in archived.items] == ["Old"]

    detail = _api("admin_api.get_campaign").sync(campaign.id, client=admin)
    assert isinstance(detail, m.CampaignDetail)
    assert (detail.queued_leads, detail.max_attempts, detail.pledged_total) == (4, 4, "0.00")
    [stats] = detail.lists
    assert isinstance(stats, m.CampaignListStats)
    assert (stats.name, stats.priority, stats.total_leads) == ("Major donors", 1, 4)
    assert stats.conversion_rate is None
    missing = _api("admin_api.get_campaign").sync_detailed(uuid.uuid4(), client=admin)
    assert missing.status_code == 404 and isinstance(missing.parsed, m.Error)


def test_target_client_leads_with_a_generated_client(lk, live_server, desk, factory):
    """Seed 000: link a batch, link one, ingest, and list with enriched data."""
    m = lk.models
    company = factory.core_company(domain="harness.io", name="Harness", industry="DevOps",
                                   employee_count=850, city="San Francisco")  # fmt: skip
    factory.core_person(company, email="aj@harness.io", full_name="AJ Pahl", title="VP Sales",
                        seniority="VP", department="Sales",
                        linkedin_url="linkedin.com/in/ajpahl")  # fmt: skip
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])
    batch = _api("target_clients.link_target_client_leads_batch").sync(
        client=admin,
        body=m.LinkBatchRequest(
            target_client_domain="securitypalhq.com",
            source=m.TargetClientSource.CSV_IMPORT,
            leads=[m.BatchRow(person_email="aj@harness.io"),
                   m.BatchRow(person_email="bob@datadog.com", company_domain="datadog.com")],
        ),
    )  # fmt: skip
    assert isinstance(batch, m.LinkBatchResult)
    assert (batch.total, batch.linked, batch.failed) == (2, 1, 1)
    found, missing = batch.results
    assert found.success and found.person_found and found.company_found
    assert missing.error == "No matching person found in core.people"

    link = _api("target_clients.link_target_client_lead").sync(
        client=admin,
        body=m.LinkRequest(target_client_domain="securitypalhq.com",
                           person_linkedin_url="https://www.linkedin.com/in/AJPahl/"),
    )  # fmt: skip
    assert isinstance(link, m.LinkResult) and link.lead_id == found.lead_id

    ingested = _api("target_clients.ingest_target_client_lead").sync(
        client=admin,
        body=m.IngestRequest(target_client_domain="securitypalhq.com", first_name="Nova",
                             work_email="nova@nowhere.dev", company_domain="nowhere.dev",
                             source=m.TargetClientSource.CONTACT_FORM),
    )  # fmt: skip
    assert isinstance(ingested, m.IngestResult) and ingested.core_person_id is None

    listed = _api("target_clients.list_target_client_leads").sync(
        client=admin, body=m.ListRequest(target_client_domain="securitypalhq.com")
    )
    assert isinstance(listed, m.ListResult) and listed.count == 2
    aj = next(lead for lead in listed.leads if lead.work_email == "aj@harness.io")
    assert isinstance(aj.enriched_company, m.EnrichedCompany)
    assert aj.enriched_company.employee_count == 850 and aj.enriched_person.title == "VP Sales"

    refused = _api("target_clients.list_target_client_leads").sync_detailed(
        client=admin, body=m.ListRequest(target_client_domain="not a domain")
    )
    assert refused.status_code == 422 and isinstance(refused.parsed, m.Error)
    assert "target_client_domain" in refused.parsed.errors


def test_discover_and_run_a_query_with_a_generated_client(
    lk, live_server, desk, db, factory, sandbox
):
    """Seed 002's discover and the run-now trigger, against the sandbox over real HTTP."""
    from webapp.models import Workspace

    workspace = db.session.execute(
        db.select(Workspace).where(Workspace.slug == "generated")
    ).scalar_one()
    sandbox.use_for_intent(factory, workspace)
    m = lk.models
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])
    found = _api("pipeline.discover_leads").sync_detailed(
        client=admin, body=m.DiscoverRequest(query="AI tools", limit=3)
    )
    assert found.status_code == 200 and isinstance(found.parsed, m.DiscoverResult)
    assert (found.parsed.count, found.parsed.saved, found.parsed.success) == (3, 0, True)
    company = found.parsed.leads[0]
    assert isinstance(company, m.DiscoveredLead) and company.domain
    saved = _api("pipeline.discover_leads").sync(
        client=admin, body=m.DiscoverRequest(query="AI tools", limit=3, save_to_database=True)
    )
    assert saved.saved == 3 and all(item.id for item in saved.leads)
    refused = _api("pipeline.discover_leads").sync_detailed(
        client=admin, body=m.DiscoverRequest(query=" ")
    )
    assert refused.status_code == 422 and "query" in refused.parsed.errors

    query = factory.discovery_query(workspace, topic="Fintech", daily_limit=1)
    started = _api("pipeline.run_discovery_query").sync_detailed(query.id, client=admin)
    assert started.status_code == 202 and isinstance(started.parsed, m.JobRun)
    assert started.parsed.subject_id == str(query.id)
    assert started.headers["Location"] == started.parsed.url
    polled = _api("pipeline.get_pipeline_run").sync(started.parsed.run_id, client=admin)
    assert isinstance(polled, m.JobRun) and polled.run_id == started.parsed.run_id


def test_enrich_a_lead_with_a_generated_client(lk, live_server, desk):
    m = lk.models
    admin = lk.AuthenticatedClient(base_url=live_server, token=desk["token"])
    lead = desk["older"][0]
    enrich = _api("pipeline.enrich_lead")
    started = enrich.sync_detailed(lead.id, client=admin)
    assert started.status_code == 202 and isinstance(started.parsed, m.JobRun)
    assert (started.parsed.subject_id, started.parsed.kind) == (str(lead.id), "pipeline.enrich")
    # queued for a worker with Redis; run already (the lead has no domain: skipped) inline
    assert started.parsed.status in (m.RunStatus.QUEUED, m.RunStatus.SUCCEEDED)
    missing = enrich.sync_detailed(uuid.uuid4(), client=admin)
    assert missing.status_code == 404 and isinstance(missing.parsed, m.Error)
