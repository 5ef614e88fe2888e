"""CSV export of leads: streamed in batches, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import JSON, Select, select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Lead

VISIBLE_COLUMNS = (
    ("Name", lambda lead: lead.display_name),
    ("Company", lambda lead: lead.company_name),
    ("Email", lambda lead: lead.email),
    ("Status", lambda lead: lead.status),
    ("Intent", lambda lead: lead.intent),
    ("Score", lambda lead: lead.lead_score),
    # As the My Leads table shows it: the owner's name, or their email when unnamed.
    ("Owner", lambda lead: lead.assigned_to.display_name if lead.assigned_to else ""),
    ("Source", lambda lead: lead.source),
    ("Tags", lambda lead: ", ".join(t.name for t in lead.tags)),
    ("Created", lambda lead: lead.created_at.isoformat()),
)
SKIPPED_FIELDS = {"workspace_id", "email_normalized"}
ALL_FIELDS = [c.name for c in Lead.__table__.columns if c.name not in SKIPPED_FIELDS]
JSON_FIELDS = frozenset(c.name for c in Lead.__table__.columns if isinstance(c.type, JSON))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


def neutralise(value) -> str:
    """A cell Excel will show as text: formula-looking cells get a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def json_cell(value) -> str | None:
    """A JSON column as JSON text (not Python's repr), readable in any spreadsheet."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _cell(lead: Lead, name: str):
    value = getattr(lead, name)
    if name in JSON_FIELDS:
        return json_cell(value)
    # ISO 8601, as the visible columns write it ("2026-11-25T20:20:45+00:00").
    return value.isoformat() if isinstance(value, datetime) else value


def _all_fields_row(lead: Lead) -> list:
    row = [_cell(lead, name) for name in ALL_FIELDS]
    row.append(lead.assigned_to.email if lead.assigned_to else "")
    row.append(", ".join(t.name for t in lead.tags))
    return row


def export_rows(session: Session, query: Select, all_fields: bool) -> Iterator[str]:
    """Yield CSV text: a header then one line per lead, fetched BATCH at a time.

    `query` selects Lead with its order; rows stream from the database cursor, so
    memory stays flat whatever the size.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [*ALL_FIELDS, "owner_email", "tags"] if all_fields else [c[0] for c in VISIBLE_COLUMNS]
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()  # BOM: Excel then reads the file as UTF-8
    query = query.options(selectinload(Lead.tags)).execution_options(
        yield_per=BATCH, stream_results=True
    )
    for lead in session.execute(query).scalars():
        buffer.seek(0)
        buffer.truncate()
        values = _all_fields_row(lead) if all_fields else [get(lead) for _, get in VISIBLE_COLUMNS]
        writer.writerow([neutralise(v) for v in values])
        yield buffer.getvalue()
        session.expunge(lead)  # keep the identity map from growing with the export


def leads_query(ids) -> Select:
    return select(Lead).where(Lead.id.in_(ids))
