"""CSV export: streamed, formula-safe, scoped by role, audited."""

import csv
import io
import json
from datetime import datetime

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
    created = table[1][table[0].index("created_at")]
    assert datetime.fromisoformat(created).tzinfo is not None and "T" in created
    audit = db.session.execute(db.select(AuditLog)).scalar_one()
    assert audit.details["filter"] == {"q": "plain 1"}


def test_reps_export_only_the_current_page(client, factory, workspace_with_leads):
    workspace, _ = workspace_with_leads
    rep_client = type(client)(client.application.test_client())
    rep_client.login(factory.user(workspace, role="rep"))
    assert rep_client.get("/leads/export.csv?scope=all").status_code == 403
    page = rows(rep_client.get("/leads/export.csv?scope=page&owner=any"))
    assert len(page) == 26  # header + one page of 25
    second = rows(rep_client.get("/leads/export.csv?scope=page&page=2&owner=any"))
    assert len(second) == 8


def test_export_is_scoped_to_the_workspace(client, factory, workspace_with_leads):
    factory.lead(factory.workspace(), full_name="Not Mine", email="notmine@example.com")
    text = client.get("/leads/export.csv?scope=all").get_data(as_text=True)
    assert "notmine@example.com" not in text


def test_the_response_names_its_charset_once(client, workspace_with_leads):
    response = client.get("/leads/export.csv?scope=all")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_all_fields_writes_json_columns_as_json_text(client, factory, workspace_with_leads):
    workspace, _ = workspace_with_leads
    lead = factory.lead(workspace, full_name="Json Lead", email="json-lead@example.com")
    lead.raw_data = {"utm": None, "form_id": "f-1", "fields": {"city": "Zürich"}}
    lead.intent_data = -5  # a JSON value whose text reads as a formula
    factory.session.commit()
    table = rows(client.get("/leads/export.csv?scope=all&columns=all&q=json-lead"))
    assert len(table) == 2
    row = dict(zip(table[0], table[1], strict=True))
    assert row["raw_data"] == '{"fields": {"city": "Zürich"}, "form_id": "f-1", "utm": null}'
    assert json.loads(row["raw_data"]) == lead.raw_data
    assert row["intent_data"] == "'-5"


def test_owner_column_shows_the_name_the_table_shows(client, factory, workspace_with_leads):
    workspace, _ = workspace_with_leads
    riley = factory.user(workspace, name="Riley Rep", email="riley@example.com")
    unnamed = factory.user(workspace, email="unnamed@example.com")
    unnamed.name = ""
    factory.session.commit()
    factory.lead(
        workspace, full_name="Owned A", email="owned-a@example.com", assigned_to_id=riley.id
    )
    factory.lead(
        workspace, full_name="Owned B", email="owned-b@example.com", assigned_to_id=unnamed.id
    )
    table = rows(client.get("/leads/export.csv?scope=all&q=owned-"))
    owner = {row[table[0].index("Name")]: row[table[0].index("Owner")] for row in table[1:]}
    assert owner == {"Owned A": "Riley Rep", "Owned B": "unnamed@example.com"}
    page = client.get("/leads?q=owned-a").get_data(as_text=True)
    assert "Riley Rep" in page
    # all fields keeps the owner's email, in a column named for it
    full = rows(client.get("/leads/export.csv?scope=all&columns=all&q=owned-a"))
    assert full[1][full[0].index("owner_email")] == "riley@example.com"


def test_every_row_streams_across_batches(client, monkeypatch, workspace_with_leads):
    from webapp.services import export

    monkeypatch.setattr(export, "BATCH", 5)  # 32 leads: seven fetches from the cursor
    response = client.get("/leads/export.csv?scope=all&columns=all")
    assert response.is_streamed
    table = rows(response)
    assert len(table) == 33
    assert len({row[table[0].index("id")] for row in table[1:]}) == 32
