"""Real files: encodings, delimiters, quotes, long fields, blank lines, .xlsx, refusals.

Each file is built here and run through the app's import job (inline), on the real
database of the run (SQLite or PostgreSQL).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.imports.helpers import counts, csv_bytes, leads_of, run_file, upload
from webapp.models import ImportRejectedRow
from webapp.services.errors import ValidationFailed
from webapp.services.imports.mapping import guess_mapping

HEADER = ["Email Address", "First Name", "Last Name", "Company Name"]
ROWS = [
    ["ann@example.com", "Ann", "Lee", "Acme"],
    ["bjørn@example.com", "Bjørn", "Ødegård", "Café Crème"],
]


def _rejected(db, imp):
    return (
        db.session.execute(
            db.select(ImportRejectedRow)
            .where(ImportRejectedRow.import_id == imp.id)
            .order_by(ImportRejectedRow.line)
        )
        .scalars()
        .all()
    )


def test_the_mapping_guesser_knows_common_headers():
    headers = ["E-mail", "Email Address", "First Name", "Surname", "Company Name", "Phone Number",
               "Website", "LinkedIn", "Job Title", "Favourite colour", "mobile"]  # fmt: skip
    assert guess_mapping(headers) == [
        "email", "raw", "first_name", "last_name", "company_name", "phone", "website",
        "linkedin_url", "job_title", "raw", "raw",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
    ids=["utf8", "utf8-bom", "utf16-bom", "windows-1252"],
)
def test_encodings(app, db, desk, encoding, prefix):
    workspace, admin = desk
    rows = ROWS if encoding != "cp1252" else [*ROWS, ["zoë@example.com", "Zoë", "“Quote”", "Ñandú"]]
    data = prefix + csv_bytes([HEADER, *rows], encoding=encoding)
    imp = run_file(app, workspace, admin, data)
    assert counts(imp)["created"] == len(rows), _rejected(db, imp)
    names = {lead.full_name for lead in leads_of(workspace)}
    assert "Bjørn Ødegård" in names
    if encoding == "cp1252":
        assert "Zoë “Quote”" in names


def test_latin1_bytes_windows_1252_lacks(app, db, desk):
    workspace, admin = desk
    data = csv_bytes([HEADER, ["x@example.com", "Ann\x81", "Lee", "Acme"]], encoding="latin-1")
    imp = run_file(app, workspace, admin, data)
    assert imp.encoding == "latin-1" and counts(imp)["created"] == 1


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(app, db, desk, delimiter):
    workspace, admin = desk
    rows = [HEADER, ["ann@example.com", "Ann", "Lee", "Acme, Inc."]]
    text = "\n".join(delimiter.join(f'"{v}"' if delimiter in v else v for v in r) for r in rows)
    imp = run_file(app, workspace, admin, text.encode())
    assert imp.delimiter == delimiter
    assert counts(imp)["created"] == 1
    assert leads_of(workspace)[0].company_name == "Acme, Inc."


def test_quoted_newlines_blank_lines_whitespace_and_case(app, db, desk):
    workspace, admin = desk
    text = (
        "Email,First Name,Notes\r\n"
        '  Ann@Example.COM  ,  Ann ,"line one\nline two, with a comma"\r\n'
        "\r\n\r\n"
        "   ,  ,  \r\n"
        "ANN@example.com,Annie,again\r\n"
        "bob@example.com,Bob,\r\n"
    )
    imp = run_file(app, workspace, admin, text.encode(), duplicate_policy="skip")
    assert counts(imp) == {
        "total": 3, "done": 3, "created": 2, "updated": 0, "skipped": 1, "invalid": 0
    }  # fmt: skip
    ann = leads_of(workspace)[0]
    assert ann.email_normalized == "ann@example.com" and ann.first_name == "Ann"
    assert ann.notes == "line one\nline two, with a comma"


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf-file", "lf-file"])
@pytest.mark.parametrize("inside", ["\r", "\n", "\r\n"], ids=["cr", "lf", "crlf"])
def test_quoted_fields_may_hold_any_line_break_and_commas(app, db, desk, newline, inside):
    workspace, admin = desk
    notes = f"Met at the fair{inside}Call back Monday, Tuesday, or Friday"
    text = newline.join(
        ["Email,Notes,City", f'ann@example.com,"{notes}",Paris', "bob@example.com,Plain,Rome", ""]
    )
    imp = run_file(app, workspace, admin, text.encode())
    assert _rejected(db, imp) == []
    assert counts(imp)["created"] == 2
    ann, bob = leads_of(workspace)
    assert ann.city == "Paris" and bob.city == "Rome"
    assert ann.notes.replace("\r\n", "\n").replace("\r", "\n") == notes.replace(
        "\r\n", "\n"
    ).replace("\r", "\n")


def test_a_stray_quote_is_reported_and_the_rows_after_it_are_kept(app, db, desk):
    workspace, admin = desk
    lines = ["Email,First Name,Company"]
    lines += [f"p{n}@example.com,P{n},Co" for n in range(1, 4)]  # lines 2-4
    lines += ['stray@example.com,Stray,"Acme, Inc']  # line 5: the quote is never closed
    lines += [f"q{n}@example.com,Q{n},Co" for n in range(1, 6)]  # lines 6-10
    imp = run_file(app, workspace, admin, ("\n".join(lines) + "\n").encode())
    rejected = _rejected(db, imp)
    assert [r.line for r in rejected] == [5]
    assert "quote opened on line 5" in rejected[0].reason
    assert counts(imp)["created"] == 8
    emails = {lead.email for lead in leads_of(workspace)}
    assert "q1@example.com" in emails and "stray@example.com" not in emails


def test_a_stray_quote_in_the_last_column_does_not_swallow_rows(app, db, desk):
    workspace, admin = desk
    text = 'Email,Name\na@example.com,"Ann\nb@example.com,Bob\nc@example.com,Cy\n'
    imp = run_file(app, workspace, admin, text.encode())
    assert [r.line for r in _rejected(db, imp)] == [2]
    assert {lead.email for lead in leads_of(workspace)} == {"b@example.com", "c@example.com"}


def test_a_stray_quote_closed_by_the_next_rows_quote_is_still_a_stray_quote(app, db, desk):
    workspace, admin = desk
    # Read loosely, line 2 would swallow line 3 and still give three values.
    text = 'Email,Name,Company\na@example.com,"Ann,Acme\nb@example.com,"Bob",Initech\n'
    imp = run_file(app, workspace, admin, text.encode())
    rejected = _rejected(db, imp)
    assert [r.line for r in rejected] == [2]
    assert "quote opened on line 2" in rejected[0].reason
    assert [(lead.email, lead.company_name) for lead in leads_of(workspace)] == [
        ("b@example.com", "Initech")
    ]


def test_a_very_long_field_rejects_its_row(app, db, desk):
    workspace, admin = desk
    rows = [HEADER, ["a@example.com", "A" * 500, "", ""], ["b@example.com", "B", "", ""],
            ["c@example.com", "C", "x" * 300_000, ""], ["d@example.com", "D", "", ""]]  # fmt: skip
    imp = run_file(app, workspace, admin, csv_bytes(rows))
    rejected = _rejected(db, imp)
    assert [r.line for r in rejected] == [2, 4]
    assert "at most 120 characters" in rejected[0].reason
    assert "longer than" in rejected[1].reason
    assert counts(imp)["created"] == 2


def test_the_same_email_twice_in_one_file(app, db, desk):
    workspace, admin = desk
    rows = [HEADER, ["ann@example.com", "Ann", "", ""], ["ANN@example.com", "", "Lee", "Acme"]]
    imp = run_file(app, workspace, admin, csv_bytes(rows), duplicate_policy="fill")
    assert counts(imp)["created"] == 1 and counts(imp)["updated"] == 1
    (ann,) = leads_of(workspace)
    assert ann.company_name == "Acme" and ann.first_name == "Ann" and ann.last_name is None


def test_an_international_email_domain_is_one_lead_in_either_spelling(app, db, desk):
    from webapp.services.leads.timeline import create_lead

    workspace, admin = desk
    create_lead(db.session, workspace.id, {"email": "Ann@München.de", "first_name": "Ann"})
    db.session.commit()
    rows = [HEADER, ["ANN@XN--MNCHEN-3YA.DE", "", "", "Acme"]]
    imp = run_file(app, workspace, admin, csv_bytes(rows), duplicate_policy="fill")
    assert (counts(imp)["created"], counts(imp)["updated"]) == (0, 1)
    (ann,) = leads_of(workspace)
    assert (ann.email_normalized, ann.first_name, ann.company_name) == (
        "ann@münchen.de", "Ann", "Acme"
    )  # fmt: skip


def test_a_header_only_file_finishes_with_nothing(app, db, desk):
    workspace, admin = desk
    imp = run_file(app, workspace, admin, csv_bytes([HEADER]))
    assert counts(imp) == {
        "total": 0, "done": 0, "created": 0, "updated": 0, "skipped": 0, "invalid": 0
    }  # fmt: skip
    assert imp.finished_at is not None


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10, "not a CSV file"),
        (b"PK\x03\x04not really a workbook" * 20, "not a CSV or .xlsx file"),
        (b"", "is empty"),
    ],
    ids=["binary", "broken-zip", "empty"],
)
def test_files_that_are_not_csv_are_refused(app, db, desk, data, reason):
    workspace, admin = desk
    with pytest.raises(ValidationFailed) as refused:
        upload(app, workspace, admin, data, "leads.csv")
    assert reason in refused.value.errors["file"]


def test_no_identifying_column_is_refused_before_anything_runs(app, db, desk):
    workspace, admin = desk
    with pytest.raises(ValidationFailed) as refused:
        run_file(app, workspace, admin, csv_bytes([["First Name", "Company"], ["Ann", "Acme"]]))
    assert "email, LinkedIn URL or phone" in refused.value.errors["mapping"]
    assert leads_of(workspace) == []


def test_rows_without_email_match_by_linkedin_then_phone(app, db, desk):
    workspace, admin = desk
    rows = [["Name", "LinkedIn", "Phone Number"],
            ["Ann Lee", "https://www.linkedin.com/in/annlee", ""],
            ["Bob Roe", "", "+1 415 555 0100"],
            ["Nobody", "", ""]]  # fmt: skip
    first = run_file(app, workspace, admin, csv_bytes(rows))
    assert counts(first)["created"] == 2 and counts(first)["invalid"] == 1
    rows[1][1] = "linkedin.com/in/AnnLee/"
    again = run_file(app, workspace, admin, csv_bytes(rows), duplicate_policy="skip")
    assert counts(again)["created"] == 0 and counts(again)["skipped"] == 2
    assert len(leads_of(workspace)) == 2


def test_xlsx(app, db, desk):
    workspace, admin = desk
    book = Workbook()
    sheet = book.active
    sheet.append(["E-mail", "First Name", "Employees"])
    sheet.append(["ann@example.com", "Ann", 250])
    sheet.append([None, None, None])
    sheet.append(["bad", "Bob", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    imp = run_file(app, workspace, admin, buffer.getvalue(), name="people.xlsx")
    assert imp.file_format == "xlsx"
    assert counts(imp)["created"] == 1 and counts(imp)["invalid"] == 1
    assert leads_of(workspace)[0].employee_count == 250
    assert [r.line for r in _rejected(db, imp)] == [4]
