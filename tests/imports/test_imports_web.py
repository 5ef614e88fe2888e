"""The Imports pages: upload, preview and mapping, start, progress, error report, revert;
roles and workspace isolation on every route; the upload limit."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.factories import signed_in
from tests.imports.helpers import counts, csv_bytes, leads_of, reloaded, run_file
from webapp.models import AuditLog, LeadImport, LeadList

HEADER = ["E-mail", "First Name", "Company Name", "Notes"]


def _upload(client, data: bytes, name="people.csv", **extra):
    return client.post_form(
        "/imports", {"file": (io.BytesIO(data), name), **extra}, content_type="multipart/form-data"
    )


def _mapping_form(imp, **overrides):
    form = {f"column_{i}": choice for i, choice in enumerate(imp.mapping)}
    form.update(list_choice="new", list_name="Spring fair", duplicate_policy="skip")
    form.update(overrides)
    return form


@pytest.fixture()
def admin_desk(client, factory, inline):
    return signed_in(client, factory, role="admin")


def test_upload_preview_map_and_run(client, db, admin_desk):
    workspace, admin = admin_desk
    data = csv_bytes(
        [HEADER, ["ann@example.com", "Ann", "Acme", "=1+1"], ["nope", "Bob", "", "-2"],
         ["bob@example.com", "Bob", "Beta", ""]]
    )  # fmt: skip
    answer = _upload(client, data)
    assert answer.status_code == 302
    imp = db.session.execute(db.select(LeadImport)).scalar_one()
    assert imp.mapping == ["email", "first_name", "company_name", "notes"]
    page = client.get(answer.location).get_data(as_text=True)
    assert "ann@example.com" in page and 'name="column_0"' in page
    form = _mapping_form(imp, column_2="raw", column_3="ignore", tags="fair, 2026")
    started = client.post_form(f"/imports/{imp.id}/start", form)
    assert started.status_code == 302
    assert counts(imp) == {
        "total": 3, "done": 3, "created": 2, "updated": 0, "skipped": 0, "invalid": 1
    }  # fmt: skip
    ann = leads_of(workspace)[0]
    assert ann.raw_data == {"Company Name": "Acme"} and ann.company_name is None
    assert sorted(t.name for t in ann.tags) == ["2026", "fair"]
    lead_list = db.session.execute(
        db.select(LeadList).where(LeadList.name == "Spring fair")
    ).scalar_one()
    assert lead_list.lead_count == 2
    show = client.get(f"/imports/{imp.id}").get_data(as_text=True)
    assert "Created: <strong>2</strong>" in show and "error report" in show
    index = client.get("/imports").get_data(as_text=True)
    assert "people.csv" in index and "Spring fair" in index
    report = client.get(f"/imports/{imp.id}/errors.csv")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True))))
    assert rows[0][:6] == ["line", "reason", "E-mail", "First Name", "Company Name", "Notes"]
    assert rows[1][0] == "3" and "Email" in rows[1][1] and rows[1][2] == "nope"
    assert rows[1][5] == "'-2"  # formula-safe
    assert db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "import.errors_downloaded")
    ).scalar()


def test_refusals_before_anything_runs(client, db, admin_desk):
    assert _upload(client, b"\x00\x01\x02binary\xff" * 50, "x.csv").status_code == 422
    answer = _upload(client, csv_bytes([["First Name", "Company"], ["Ann", "Acme"]]))
    imp = db.session.execute(db.select(LeadImport)).scalar_one()
    refused = client.post_form(f"/imports/{imp.id}/start", _mapping_form(imp))
    assert refused.status_code == 422
    assert "map a column to email, LinkedIn URL or phone" in refused.get_data(as_text=True)
    assert reloaded(imp).job_run_id is None and answer.status_code == 302
    empty = _upload(client, b"", "empty.csv")
    assert empty.status_code == 422 and "is empty" in empty.get_data(as_text=True)


NO_KEY = "map a column to email, LinkedIn URL or phone"


def test_a_mapping_without_an_identifying_column_is_said_before_start(client, db, admin_desk):
    answer = _upload(client, csv_bytes([["First Name", "Company"], ["Ann", "Acme"]]))
    page = client.get(answer.location)
    assert page.status_code == 200
    assert NO_KEY in page.get_data(as_text=True)  # the guess, on the preview, before Start
    imp = db.session.execute(db.select(LeadImport)).scalar_one()
    assert reloaded(imp).job_run_id is None


def test_the_mapping_is_checked_as_the_columns_are_chosen(client, db, admin_desk):
    answer = _upload(client, csv_bytes([HEADER, ["ann@example.com", "Ann", "Acme", ""]]))
    page = client.get(answer.location).get_data(as_text=True)
    assert NO_KEY not in page and 'hx-target="#mapping-check"' in page
    imp = db.session.execute(db.select(LeadImport)).scalar_one()
    check = f"/imports/{imp.id}/mapping/check"
    without_email = client.post_form(check, _mapping_form(imp, column_0="ignore"))
    assert without_email.status_code == 200
    assert NO_KEY in without_email.get_data(as_text=True)
    twice = client.post_form(check, _mapping_form(imp, column_1="email"))
    assert "Email is chosen for more than one column" in twice.get_data(as_text=True)
    fine = client.post_form(check, _mapping_form(imp, column_3="phone"))
    assert fine.status_code == 200 and "form-errors" not in fine.get_data(as_text=True)


def test_a_file_over_the_limit_is_a_413_that_says_so(app, client, db, admin_desk, monkeypatch):
    assert app.config["IMPORT_MAX_BYTES"] == 104_857_600
    assert "Up to 100 MB." in client.get("/imports/new").get_data(as_text=True)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2_048)
    answer = _upload(client, csv_bytes([["email"]] + [[f"a{n}@example.com"] for n in range(300)]))
    assert answer.status_code == 413
    assert "larger than the upload limit of 2 KB." in answer.get_data(as_text=True)
    assert db.session.execute(db.select(LeadImport)).scalar() is None


def test_from_a_list_page_the_list_is_chosen(client, db, factory, admin_desk):
    workspace, admin = admin_desk
    lead_list = factory.lead_list(workspace, name="Donors")
    page = client.get(f"/imports/new?list={lead_list.id}").get_data(as_text=True)
    assert "Donors" in page and f'value="{lead_list.id}"' in page
    answer = _upload(client, csv_bytes([["email"], ["x@example.com"]]), list=str(lead_list.id))
    assert f"list={lead_list.id}" in answer.location
    imp = db.session.execute(db.select(LeadImport)).scalar_one()
    client.post_form(
        f"/imports/{imp.id}/start",
        _mapping_form(imp, list_choice="existing", list_id=str(lead_list.id)),
    )
    assert reloaded(imp).lead_list_id == lead_list.id
    db.session.refresh(lead_list)
    assert lead_list.lead_count == 1


def test_roles_and_workspaces(app, client, db, factory, inline):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    rep = factory.user(workspace, role="rep")
    other_rep = factory.user(workspace, role="rep")
    data = csv_bytes([["email"], ["a@example.com"], ["bad"]])
    imp = run_file(app, workspace, rep, data)
    urls = [
        f"/imports/{imp.id}", f"/imports/{imp.id}/progress", f"/imports/{imp.id}/errors.csv",
        f"/imports/{imp.id}/mapping",
    ]  # fmt: skip
    # Another workspace's admin: every route is a 404.
    stranger_ws = factory.workspace()
    client.login(factory.user(stranger_ws, role="admin"))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post_form(f"/imports/{imp.id}/revert").status_code == 404
    assert client.post_form(f"/imports/{imp.id}/start", {}).status_code == 404
    assert "a@example.com" not in client.get("/imports").get_data(as_text=True)
    # A colleague rep sees only their own imports.
    client.login(other_rep)
    assert client.get(f"/imports/{imp.id}").status_code == 404
    assert client.post_form(f"/imports/{imp.id}/revert").status_code == 404
    # The admin sees it and may revert; so may the rep who ran it.
    client.login(admin)
    assert client.get(f"/imports/{imp.id}").status_code == 200
    assert "Revert this import" in client.get(f"/imports/{imp.id}").get_data(as_text=True)
    client.login(rep)
    assert client.get(f"/imports/{imp.id}/errors.csv").status_code == 200
    assert client.post_form(f"/imports/{imp.id}/revert").status_code == 302
    assert reloaded(imp).reverted_at is not None
    assert leads_of(workspace) == []
    assert client.post_form(f"/imports/{imp.id}/revert").status_code == 409


def test_from_a_campaign_page_the_campaign_is_carried_through(client, db, factory, admin_desk):
    workspace, admin = admin_desk
    campaign = factory.campaign(workspace, name="Spring drive")
    page = client.get(f"/imports/new?campaign={campaign.id}").get_data(as_text=True)
    assert "Spring drive" in page
    answer = _upload(client, csv_bytes([["email"], ["x@example.com"]]), campaign=str(campaign.id))
    mapping = client.get(answer.location).get_data(as_text=True)
    assert f'name="campaign_id" value="{campaign.id}"' in mapping
    name = f"Spring drive – Import – {date.today().isoformat()}"
    assert f'value="{name}"' in mapping
    # A shared list that happens to bear the plain default name is never reused.
    shared = factory.lead_list(workspace, name=f"Import – {date.today().isoformat()}")
    imp = db.session.execute(db.select(LeadImport)).scalar_one()
    client.post_form(
        f"/imports/{imp.id}/start", _mapping_form(imp, campaign_id=str(campaign.id), list_name="")
    )
    assert reloaded(imp).campaign_id == campaign.id
    assert reloaded(imp).lead_list_id != shared.id
    assert reloaded(imp).lead_list.name == name
    other = factory.campaign(factory.workspace(), name="Not yours")
    assert "Not yours" not in client.get(f"/imports/new?campaign={other.id}").get_data(as_text=True)


def test_the_polled_progress_shows_big_counts_and_the_revert_button_once_finished(
    app, client, db, admin_desk
):
    workspace, admin = admin_desk
    rows = [["email"]] + [[f"p{n}@example.com"] for n in range(1_234)]
    imp = run_file(app, workspace, admin, csv_bytes(rows))
    fragment = client.get(f"/imports/{imp.id}/progress").get_data(as_text=True)
    assert 'Rows: <strong class="import-done">1,234</strong> of <strong>1,234</strong>' in fragment
    assert "Created: <strong>1,234</strong>" in fragment
    # The fragment that replaces the progress bar when the run ends carries the button.
    assert "Revert this import" in fragment and "hx-get" not in fragment
    page = client.get(f"/imports/{imp.id}").get_data(as_text=True)
    assert page.count(f'action="/imports/{imp.id}/revert"') == 1
