"""CSV export: streamed, formula-safe, scoped by role, audited."""

import csv
import io

import pytest

from tests.factories import signed_in
from webapp.models import AuditLog


def rows(response):
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture()
def workspace_with_leads(client, factory):
    workspace, admin = signed_in(client, factory)
    factory.lead(
        workspace,
        full_name='=HYPERLINK("http://evil")',
        email="evil@example.com",
        company_name="+cmd|' /C calc'!A0",
    )
    factory.lead(workspace, full_name="@SUM(1+1)", email="sum@example.com", company_name="-2+3")
    for n in range(30):
        factory.lead(workspace, full_name=f"Plain {n}", email=f"plain{n}@example.com")
    return workspace, admin


def test_admin_exports_all_matching_with_formulas_neutralised(client, db, workspace_with_leads):
    response = client.get("/leads/export.csv?scope=all")
    assert response.status_code == 200
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    assert response.is_streamed
    table = rows(response)
    assert table[0] == [
        "Name",
        "Company",
        "Email",
        "Status",
        "Intent",
        "Score",
        "Owner",
        "Source",
        "Tags",
        "Created",
    ]
    assert len(table) == 33
    cells = {cell for row in table for cell in row}
    assert '\'=HYPERLINK("http://evil")' in cells and "'+cmd|' /C calc'!A0" in cells
    assert "'@SUM(1+1)" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    audit = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "leads.exported")
    ).scalar_one()
    assert audit.details["count"] == 32 and audit.details["scope"] == "all"


def test_export_follows_the_filter_and_all_fields(client, db, workspace_with_leads):
    table = rows(client.get("/leads/export.csv?scope=all&columns=all&q=plain%201"))
    assert "email" in table[0] and "raw_data" in table[0] and "tags" in table[0]
    emails = {row[table[0].index("email")] for row in table[1:]}
    assert emails == {"plain1@example.com"} | {f"plain{n}@example.com" for n in range(10, 20)}
    audit = db.session.execute(db.select(AuditLog)).scalar_one()
    assert audit.details["filter"] == {"q": "plain 1"}


def test_reps_export_only_the_current_page(client, factory, workspace_with_leads):
    workspace, _ = workspace_with_leads
    rep_client = type(client)(client.application.test_client())
    rep_client.login(factory.user(workspace, role="rep"))
    assert rep_client.get("/leads/export.csv?scope=all").status_code == 403
    page = rows(rep_client.get("/leads/export.csv?scope=page"))
    assert len(page) == 26  # header + one page of 25
    second = rows(rep_client.get("/leads/export.csv?scope=page&page=2"))
    assert len(second) == 8


def test_export_is_scoped_to_the_workspace(client, factory, workspace_with_leads):
    factory.lead(factory.workspace(), full_name="Not Mine", email="notmine@example.com")
    text = client.get("/leads/export.csv?scope=all").get_data(as_text=True)
    assert "notmine@example.com" not in text
