"""CSV export of leads: streamed in batches, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Select, func, select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Lead
from webapp.services.leads.filters import LeadFilter, apply_sort, filter_conditions, plan_for_values
from webapp.services.leads.my_leads import count_statement, go_back_to_last_page

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


@dataclass(frozen=True)
class ExportSelection:
    query: Select  # of Lead, sorted as My Leads shows it
    count: int
    scope: str  # "all", or "page N" (for the audit row)


def select_for_export(
    session: Session,
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    timezone: str,
    everything: bool,
) -> ExportSelection:
    """Every lead the filter matches, or the page of them My Leads shows (a page past
    the end: the last one, as there)."""
    plan_for_values(session)
    conditions = filter_conditions(lead_filter, workspace_id, user_id, timezone)
    query = apply_sort(select(Lead).where(*conditions), lead_filter)
    if everything:
        matching = select(Lead.id).where(*conditions).subquery()
        count = session.execute(select(func.count()).select_from(matching)).scalar_one()
        return ExportSelection(query, count, "all")
    go_back_to_last_page(lead_filter, session.execute(count_statement(conditions)).scalar_one())
    per_page = lead_filter.per_page
    query = query.limit(per_page).offset((lead_filter.page - 1) * per_page)
    count = len(session.execute(query.with_only_columns(Lead.id)).all())
    return ExportSelection(query, count, f"page {lead_filter.page}")


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
