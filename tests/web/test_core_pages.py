"""Companies and People (every member reads), a company with its people and this
workspace's leads, and the core load page (admins), its job run and report."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.factories import signed_in
from tests.web.test_background_work import burst_worker
from webapp.models import CoreCompany, CorePerson, JobRun
from webapp.models.target_clients import UploadedFile


@pytest.fixture()
def inline(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture()
def harness(factory):
    company = factory.core_company(domain="harness.io", name="Harness", industry="DevOps",
                                   employee_count=850, city="San Francisco")  # fmt: skip
    factory.core_person(company, email="aj@harness.io", full_name="AJ Pahl", title="VP Sales")
    factory.core_company(domain="stripe.com", name="Stripe", industry="Payments")
    return company


@pytest.mark.parametrize("role", ["admin", "rep"])
def test_members_browse_and_search_companies_and_people(client, factory, harness, role):
    signed_in(client, factory, role=role)
    page = client.get("/core/companies").get_data(as_text=True)
    assert "Harness" in page and "Stripe" in page and "850" in page
    found = client.get("/core/companies?q=devops").get_data(as_text=True)
    assert "Harness" in found and "Stripe" not in found
    people = client.get("/core/people?q=vp+sales").get_data(as_text=True)
    assert "AJ Pahl" in people and "aj@harness.io" in people
    assert ("Load data" in page) == (role == "admin")


def test_signed_out_is_sent_to_sign_in(client, db):
    for path in ("/core/companies", "/core/people", "/core/load", "/target-clients"):
        assert client.get(path).status_code == 302


def test_company_page_lists_its_people_and_this_workspaces_leads(client, factory, harness):
    workspace, _ = signed_in(client, factory, role="rep")
    linked = factory.lead(workspace, full_name="Linked Lead", email="l@x.com")
    linked.core_company_id = harness.id
    factory.session.commit()
    factory.lead(workspace, full_name="Domain Lead", email="d@harness.io",
                 company_domain="harness.io")  # fmt: skip
    factory.lead(workspace, full_name="Other Lead", email="o@x.com", company_domain="stripe.com")
    factory.lead(factory.workspace(), full_name="Their Lead", email="t@harness.io",
                 company_domain="harness.io")  # fmt: skip
    page = client.get(f"/core/companies/{harness.id}").get_data(as_text=True)
    assert "AJ Pahl" in page and "VP Sales" in page
    assert "Linked Lead" in page and "Domain Lead" in page
    assert "Other Lead" not in page and "Their Lead" not in page
    assert client.get("/core/companies/not-an-id").status_code == 404
    assert client.get("/core/companies/00000000-0000-0000-0000-000000000000").status_code == 404


def test_reps_may_not_load(client, factory):
    signed_in(client, factory, role="rep")
    assert client.get("/core/load").status_code == 403
    upload = client.post_form(
        "/core/load", {"kind": "companies", "file": (io.BytesIO(b"domain\na.com\n"), "c.csv")}
    )
    assert upload.status_code == 403


def test_admin_uploads_a_file_that_loads_as_a_job_with_a_report(client, factory, db, inline):
    signed_in(client, factory, role="admin")
    content = b"domain,name,employee_count\nacme.com,Acme,12\nnot a domain,Bad,\nb.io,B,lots\n"
    answer = client.post_form(
        "/core/load",
        {"kind": "companies", "file": (io.BytesIO(content), "companies.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    run = db.session.execute(select(JobRun).where(JobRun.kind == "core.load")).scalar()
    assert run.status == "succeeded" and run.counts["inserted"] == 1
    assert run.counts["failed"] == 2
    assert db.session.execute(select(CoreCompany.name)).scalars().all() == ["Acme"]
    assert db.session.execute(select(UploadedFile)).scalar() is None  # read, then deleted
    page = client.get("/core/load").get_data(as_text=True)
    assert "Refused rows" in page and "domain is not a domain name" in page
    assert "employee_count must be a whole number" in page and "Core data load" in page


def test_a_bad_upload_is_refused_by_field(client, factory, db, inline):
    signed_in(client, factory, role="admin")
    nothing = client.post_form(
        "/core/load", {"kind": "companies"}, content_type="multipart/form-data"
    )
    assert nothing.status_code == 422 and "File is required" in nothing.get_data(as_text=True)
    kind = client.post_form(
        "/core/load",
        {"kind": "planets", "file": (io.BytesIO(b"domain\na.com\n"), "c.csv")},
        content_type="multipart/form-data",
    )
    assert kind.status_code == 422 and "must be companies or people" in kind.get_data(as_text=True)
    no_key = client.post_form(
        "/core/load",
        {"kind": "people", "file": (io.BytesIO(b"name\nAcme\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert no_key.status_code == 302
    run = db.session.execute(select(JobRun).where(JobRun.kind == "core.load")).scalar()
    assert run.status == "failed" and "email" in run.error


def test_people_load_through_a_real_worker(client, factory, db, harness, redis_url):
    signed_in(client, factory, role="admin")
    content = (
        b'{"email": "new@harness.io", "full_name": "New Person", "company_domain": "harness.io"}\n'
    )
    client.post_form(
        "/core/load",
        {"kind": "people", "file": (io.BytesIO(content), "people.jsonl")},
        content_type="multipart/form-data",
    )
    burst_worker()
    db.session.expire_all()
    person = db.session.execute(
        select(CorePerson).where(CorePerson.email == "new@harness.io")
    ).scalar()
    assert person is not None and person.core_company_id == harness.id
