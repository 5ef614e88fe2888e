"""Core loads: CSV and JSON Lines, upserts by domain / email / LinkedIn URL, bad rows
reported by line, people tied to companies by company_domain in either order."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from webapp.models import CoreCompany, CorePerson
from webapp.services.core import loader
from webapp.services.core.loader import load_file
from webapp.services.errors import ValidationFailed

COMPANIES = b"""domain,name,industry,employee_count,revenue,city,state,country,linkedin_url,extra
https://www.Harness.io/,Harness,DevOps,850,100000000,San Francisco,CA,US,https://www.linkedin.com/company/harness/,x
stripe.com,Stripe,Payments,"8,000",,,,,
not a domain,Bad,,,,,,,
acme.com,Acme,,many,,,,,
"""
PEOPLE = b"""{"email": "AJ@harness.io", "first_name": "AJ", "last_name": "Pahl", "linkedin_url": "https://www.linkedin.com/in/AJPahl/", "company_domain": "harness.io"}
{"email": "jane@stripe.com", "full_name": "Jane Roe", "title": "CFO", "company_domain": "www.stripe.com"}
[1, 2]
{"first_name": "Nobody"}
{"email": "bob@newco.io", "company_domain": "newco.io"}
{"email": "other@harness.io", "linkedin_url": "linkedin.com/in/ajpahl"}
"""


def _load(db, kind, content: bytes, name: str):
    report = load_file(db.session, kind, io.BytesIO(content), name)
    db.session.commit()
    return report


def _company(db, domain):
    return db.session.execute(select(CoreCompany).where(CoreCompany.domain == domain)).scalar()


def _person(db, email):
    return db.session.execute(select(CorePerson).where(CorePerson.email == email)).scalar()


def test_companies_from_csv_with_a_report_of_bad_rows(db):
    report = _load(db, "companies", COMPANIES, "companies.csv")
    assert (report.read, report.inserted, report.updated, report.failed) == (4, 2, 0, 2)
    assert [(e.line, e.reason) for e in report.errors] == [
        (4, "domain is not a domain name"),
        (5, "employee_count must be a whole number"),
    ]
    assert report.errors[0].values["name"] == "Bad"
    harness = _company(db, "harness.io")
    assert (harness.name, harness.employee_count, harness.revenue, harness.state) == (
        "Harness", 850, 100_000_000, "CA"
    )  # fmt: skip
    assert harness.linkedin_url == "linkedin.com/company/harness"
    assert _company(db, "stripe.com").employee_count == 8000


def test_reloading_updates_and_blank_values_keep_stored_ones(db):
    _load(db, "companies", COMPANIES, "companies.csv")
    again = b"domain,name,employee_count\nharness.io,,900\nnew.io,New,\n"
    report = _load(db, "companies", again, "more.csv")
    assert (report.inserted, report.updated) == (1, 1)
    db.session.expire_all()
    harness = _company(db, "harness.io")
    assert (harness.name, harness.employee_count, harness.industry) == ("Harness", 900, "DevOps")


def test_people_from_json_lines_tied_to_companies_in_either_order(db):
    _load(db, "companies", COMPANIES, "companies.csv")
    report = _load(db, "people", PEOPLE, "people.jsonl")
    assert (report.read, report.inserted, report.failed) == (6, 3, 3)
    assert [e.line for e in report.errors] == [3, 4, 6]
    assert "earlier in the file" in report.errors[2].reason
    aj = _person(db, "aj@harness.io")
    assert (aj.full_name, aj.linkedin_url) == ("AJ Pahl", "linkedin.com/in/ajpahl")
    assert aj.core_company_id == _company(db, "harness.io").id
    assert _person(db, "jane@stripe.com").core_company_id == _company(db, "stripe.com").id
    bob = _person(db, "bob@newco.io")
    assert bob.core_company_id is None and bob.company_domain == "newco.io"
    _load(db, "companies", b'{"domain": "newco.io", "name": "NewCo"}\n', "later.jsonl")
    db.session.expire_all()
    assert _person(db, "bob@newco.io").core_company_id == _company(db, "newco.io").id


def test_people_upsert_by_email_then_by_linkedin_url(db):
    _load(db, "people", PEOPLE, "people.jsonl")
    by_linkedin = b"linkedin_url,title\nlinkedin.com/in/ajpahl,VP Sales\n"
    assert _load(db, "people", by_linkedin, "p.csv").updated == 1
    # A new email on a known LinkedIn URL would replace (and lose) the stored one: refused.
    new_email = b"email,linkedin_url\naj.pahl@harness.io,linkedin.com/in/ajpahl\n"
    report = _load(db, "people", new_email, "p.csv")
    assert (report.failed, report.updated, report.inserted) == (1, 0, 0)
    assert report.errors[0].reason == "linkedin_url belongs to another person (aj@harness.io)"
    db.session.expire_all()
    aj = db.session.execute(
        select(CorePerson).where(CorePerson.linkedin_url == "linkedin.com/in/ajpahl")
    ).scalar()
    assert (aj.email, aj.title, aj.first_name) == ("aj@harness.io", "VP Sales", "AJ")
    clash = b"email,linkedin_url\njane@stripe.com,linkedin.com/in/ajpahl\n"
    report = _load(db, "people", clash, "p.csv")
    assert report.failed == 1 and report.updated == 0
    assert report.errors[0].reason == "linkedin_url belongs to another person (aj@harness.io)"
    assert _person(db, "jane@stripe.com").linkedin_url is None


def test_batches_are_committed_by_the_caller(db, monkeypatch):
    monkeypatch.setattr(loader, "BATCH_SIZE", 2)
    rows = b"domain\n" + b"".join(f"c{n}.example.com\n".encode() for n in range(5))
    seen = []

    def after_batch(report):
        db.session.commit()
        seen.append(report.read)
        return report.read < 4

    report = load_file(db.session, "companies", io.BytesIO(rows), "c.csv", after_batch)
    assert seen == [2, 4] and report.inserted == 4  # stopped when asked


def test_a_file_without_its_key_column_is_refused(db):
    with pytest.raises(ValidationFailed) as refused:
        load_file(db.session, "companies", io.BytesIO(b"name,city\nAcme,Paris\n"), "x.csv")
    assert "domain" in refused.value.errors["file"]


@pytest.mark.parametrize(
    "encoding,name",
    [("utf-8-sig", "c.csv"), ("utf-16", "c.csv"), ("cp1252", "c.csv"), ("latin-1", "c.csv"),
     ("utf-16", "c.jsonl"), ("cp1252", "c.txt")],
)  # fmt: skip
def test_files_in_other_encodings_read_as_written(db, encoding, name):
    if name.endswith(".jsonl"):
        text = '{"domain": "cafe.example", "name": "Café Crème", "city": "Zürich"}\n'
    else:
        text = "domain,name,city\r\ncafe.example,Café Crème,Zürich\r\n"
    if encoding == "cp1252":
        text = text.replace("Crème", "Crème “Noir”")  # bytes Latin-1 lacks
    _load(db, "companies", text.encode(encoding), name)
    cafe = _company(db, "cafe.example")
    assert cafe.city == "Zürich"
    assert cafe.name == ("Café Crème “Noir”" if encoding == "cp1252" else "Café Crème")


def test_an_international_email_domain_is_one_person_in_either_spelling(db):
    people = "email,first_name,title\r\nann@münchen.de,Ann,\r\nANN@xn--mnchen-3ya.de,,CEO\r\n"
    report = _load(db, "people", people.encode(), "p.csv")
    assert (report.inserted, report.merged) == (1, 1)
    again = _load(db, "people", b"email,last_name\nann@XN--MNCHEN-3YA.DE,Lee\n", "p.csv")
    assert (again.inserted, again.updated) == (0, 1)
    ann = _person(db, "ann@münchen.de")
    assert (ann.first_name, ann.last_name, ann.title) == ("Ann", "Lee", "CEO")


def test_cli_loads_and_prints_counts_and_refused_lines(app, db, tmp_path, factory):
    workspace = factory.workspace(slug="loader")
    path = tmp_path / "companies.csv"
    path.write_bytes(COMPANIES)
    result = app.test_cli_runner().invoke(
        args=["core", "load", "companies", str(path), "--workspace", workspace.slug]
    )
    assert result.exit_code == 0, result.output
    assert "4 rows read, 2 added, 0 updated" in result.output
    assert "2 refused" in result.output
    assert "line 4: domain is not a domain name" in result.output
    from webapp.models import JobRun

    run = db.session.execute(select(JobRun).where(JobRun.kind == "core.load_file")).scalar()
    assert run.workspace_id == workspace.id and run.status == "succeeded"
    assert run.counts["inserted"] == 2
