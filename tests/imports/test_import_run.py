"""Running files through the import job, on the real database (both backends)."""

from __future__ import annotations

from tests.imports.helpers import counts, csv_bytes, leads_of, run_file

HEADER = ["E-mail", "First Name", "Last Name", "Company Name", "Phone Number"]


def test_a_small_file_creates_leads(app, db, desk):
    workspace, admin = desk
    data = csv_bytes(
        [
            HEADER,
            ["ann@example.com", "Ann", "Lee", "Acme", ""],
            ["bob@example.com", "Bob", "", "", ""],
            ["not-an-email", "X", "", "", ""],
        ]
    )
    imp = run_file(app, workspace, admin, data, batch_size=2)
    assert counts(imp) == {
        "total": 3,
        "done": 3,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "invalid": 1,
    }
    leads = leads_of(workspace)
    assert [lead.email for lead in leads] == ["ann@example.com", "bob@example.com"]
    assert leads[0].full_name == "Ann Lee" and leads[0].source == "csv_import"
