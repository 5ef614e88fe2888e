"""Target clients (admins): the list with counts, a client's leads with enriched core data
and a source filter, and the CSV upload that links rows as a job."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.factories import signed_in
from tests.web.test_background_work import burst_worker
from webapp.models import JobRun
from webapp.models.target_clients import TargetClientLead

CSV = b"person_email,company_domain\naj@harness.io,\nAJ@Harness.io,harness.io\nbob@nowhere.dev,\nnot-an-email,\n"


@pytest.fixture()
def inline(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture()
def core(factory):
    harness = factory.core_company(domain="harness.io", name="Harness", industry="DevOps",
                                   employee_count=850, city="San Francisco")  # fmt: skip
    factory.core_person(harness, email="aj@harness.io", full_name="AJ Pahl", title="VP Sales",
                        seniority="VP", department="Sales")  # fmt: skip
    return harness


def _upload(client, domain="securitypalhq.com", content=CSV, source="csv_import"):
    return client.post_form(
        "/target-clients/upload",
        {"target_client_domain": domain, "source": source,
         "file": (io.BytesIO(content), "leads.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip


def test_reps_may_not_open_target_clients(client, factory):
    signed_in(client, factory, role="rep")
    assert client.get("/target-clients").status_code == 403
    assert client.get("/target-clients/securitypalhq.com").status_code == 403
    assert _upload(client).status_code == 403


def test_upload_links_rows_and_shows_leads_with_enriched_data(client, factory, db, core, inline):
    signed_in(client, factory, role="admin")
    answer = _upload(client, domain="https://www.SecurityPalHQ.com/")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/target-clients/securitypalhq.com")
    run = db.session.execute(
        select(JobRun).where(JobRun.kind == "target_clients.link_csv")
    ).scalar()
    assert run.status == "succeeded"
    assert run.counts == {"rows": 4, "linked": 2, "failed": 2}
    assert db.session.execute(select(db.func.count()).select_from(TargetClientLead)).scalar() == 1
    page = client.get("/target-clients/securitypalhq.com").get_data(as_text=True)
    assert "AJ Pahl" in page and "Harness" in page and "850 employees" in page
    assert "VP Sales · VP · Sales" in page
    assert "Rows not linked" in page and "No matching person found in core.people" in page
    assert "person_email is not an email address" in page
    listing = client.get("/target-clients").get_data(as_text=True)
    assert "securitypalhq.com" in listing


def test_a_utf16_spreadsheet_export_links_as_well(client, factory, db, core, inline):
    signed_in(client, factory, role="admin")
    content = "person_email,company_domain\r\naj@harness.io,harness.io\r\n".encode("utf-16")
    assert _upload(client, content=content).status_code == 302
    run = db.session.execute(
        select(JobRun).where(JobRun.kind == "target_clients.link_csv")
    ).scalar()
    assert run.status == "succeeded", run.error
    assert run.counts == {"rows": 1, "linked": 1, "failed": 0}


def test_source_filter(client, factory, core, inline):
    workspace, _ = signed_in(client, factory, role="admin")
    factory.target_client_lead(workspace, target_client_domain="acme.com", full_name="Demo Dee",
                               source="demo")  # fmt: skip
    factory.target_client_lead(workspace, target_client_domain="acme.com", full_name="Form Fay",
                               source="contact_form")  # fmt: skip
    both = client.get("/target-clients/acme.com").get_data(as_text=True)
    assert "Demo Dee" in both and "Form Fay" in both
    demo = client.get("/target-clients/acme.com?source=demo").get_data(as_text=True)
    assert "Demo Dee" in demo and "Form Fay" not in demo


def test_another_workspaces_target_client_is_not_found(client, factory):
    factory.target_client_lead(factory.workspace(), target_client_domain="theirs.com")
    signed_in(client, factory, role="admin")
    assert client.get("/target-clients/theirs.com").status_code == 404
    assert "theirs.com" not in client.get("/target-clients").get_data(as_text=True)


def test_bad_upload_names_the_field(client, factory, db, inline):
    signed_in(client, factory, role="admin")
    answer = _upload(client, domain="not a domain")
    assert answer.status_code == 422
    assert "Target client domain is not a domain name" in answer.get_data(as_text=True)
    no_column = _upload(client, content=b"email\na@b.co\n")
    assert no_column.status_code == 302
    run = db.session.execute(
        select(JobRun).where(JobRun.kind == "target_clients.link_csv")
    ).scalar()
    assert run.status == "failed" and "person_email" in run.error


def test_upload_through_a_real_worker(client, factory, db, core, redis_url):
    signed_in(client, factory, role="admin")
    _upload(client)
    burst_worker()
    db.session.expire_all()
    lead = db.session.execute(select(TargetClientLead)).scalar()
    assert lead.core_company_id == core.id and lead.work_email == "aj@harness.io"
