"""Upload a CSV in the browser, change a column's mapping, watch it finish, download the
error report (jobs run inline here: the progress partial is the same either way)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import sign_in
from webapp.models import Lead

FILE = (
    b"E-mail,First Name,Company Name,Favourite colour\r\n"
    b"ann@example.com,Ann,Acme,blue\r\n"
    b'not-an-email,Bob,Beta,=HYPERLINK("x")\r\n'
    b"cy@example.com,Cy,Gamma,red\r\n"
)


def test_upload_map_run_and_download_the_error_report(app, db, factory, page, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    sign_in(page, admin)
    page.goto("/imports")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(
        {"name": "fair.csv", "mimeType": "text/csv", "buffer": FILE}
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/mapping**")
    assert page.get_by_label("Column E-mail fills").input_value() == "email"
    page.get_by_label("Column Company Name fills").select_option("ignore")
    page.get_by_label("New list name").fill("Fair 2026")
    page.get_by_label("Fill the lead’s empty fields").check()
    page.get_by_role("button", name="Start the import").click()
    progress = page.locator("#import-progress")
    progress.get_by_text("Finished").first.wait_for()
    assert progress.locator("progress").get_attribute("value") == "3"
    assert "Created: 2" in progress.inner_text() and "Invalid: 1" in progress.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "not-an-email" in report and "'=HYPERLINK" in report
    db.session.expire_all()
    leads = db.session.execute(db.select(Lead).where(Lead.workspace_id == workspace.id)).scalars()
    assert sorted((lead.email, lead.company_name) for lead in leads) == [
        ("ann@example.com", None), ("cy@example.com", None)
    ]  # fmt: skip


def test_the_mapping_page_says_at_once_when_no_column_identifies_a_lead(
    app, db, factory, page, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    admin = factory.user(factory.workspace(), role="admin")
    sign_in(page, admin)
    page.goto("/imports")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(
        {"name": "fair.csv", "mimeType": "text/csv", "buffer": FILE}
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/mapping**")
    alert = page.locator("#mapping-check")
    assert alert.inner_text().strip() == ""
    page.get_by_label("Column E-mail fills").select_option("ignore")
    alert.get_by_text("map a column to email, LinkedIn URL or phone").wait_for()
    page.get_by_label("Column Favourite colour fills").select_option("phone")
    alert.get_by_role("alert").wait_for(state="detached")
