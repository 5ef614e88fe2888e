"""The error report of an import: each rejected row's line, original values and reason.

As CSV it is formula-safe: a cell a spreadsheet would read as a formula (starting with
=, +, -, @, a tab or a carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.models import ImportRejectedRow, LeadImport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAGE = 1000
UNPARSED = "unreadable line"  # a row that could not be split into values, as it was


def formula_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rejected_rows(session: Session, imp: LeadImport) -> Iterator[ImportRejectedRow]:
    """The rejected rows by line, read a page at a time."""
    last = (-1, None)
    while True:
        query = (
            sa.select(ImportRejectedRow)
            .where(ImportRejectedRow.import_id == imp.id)
            .order_by(ImportRejectedRow.line, ImportRejectedRow.id)
            .limit(PAGE)
        )
        if last[1] is not None:
            query = query.where(
                sa.tuple_(ImportRejectedRow.line, ImportRejectedRow.id) > sa.tuple_(*last)
            )
        page = list(session.execute(query).scalars())
        if not page:
            return
        yield from page
        last = (page[-1].line, page[-1].id)


def report_columns(imp: LeadImport) -> list[str]:
    return ["line", "reason", *(imp.headers or []), UNPARSED]


def report_csv(session: Session, imp: LeadImport) -> Iterator[str]:
    """The report as CSV text, streamed in pieces."""
    headers = list(imp.headers or [])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([formula_safe(c) for c in report_columns(imp)])
    for row in rejected_rows(session, imp):
        values = row.values or {}
        unparsed = values.get("line", "") if set(values) == {"line"} else ""
        cells = [row.line, row.reason]
        cells += ["" if unparsed else values.get(h, "") for h in headers] + [unparsed]
        writer.writerow([formula_safe(c) for c in cells])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def count_rejected(session: Session, imp: LeadImport) -> int:
    return session.execute(
        sa.select(sa.func.count())
        .select_from(ImportRejectedRow)
        .where(ImportRejectedRow.import_id == imp.id)
    ).scalar_one()
