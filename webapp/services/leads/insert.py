"""Writing a new lead with its "created" activity and LeadCreated event.

The unique (workspace, normalised email) index decides whether the lead is new:
INSERT … ON CONFLICT DO NOTHING, so racing requests never make two. On
PostgreSQL the three rows go in one statement (data-modifying CTEs), because
public capture runs this at full load and every round trip counts; elsewhere
they are three statements in the same transaction.

A caller with nothing else to write in the transaction (public capture of an
unassigned form) may ask for the statement `on_its_own`: it then runs and commits
without BEGIN and COMMIT, two round trips fewer. One statement is atomic by itself,
so the lead, its activity and its event still commit together or not at all.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, scoped_session

from webapp.models import Event, Lead, LeadActivity
from webapp.services.events.outbox import event_row
from webapp.services.events.relay_kick import note_events_written

LEADS = Lead.__table__
# Column defaults the database does not know (they live on the model).
DEFAULTS = {
    column.key: column.default.arg
    for column in LEADS.c
    if column.default is not None and column.default.is_scalar
}
JSON_COLUMNS = frozenset(c.key for c in LEADS.c if isinstance(c.type, sa.JSON))


@dataclass(frozen=True)
class NewLead:
    """The stored lead's answer fields, named as on the model."""

    id: uuid.UUID
    full_name: str | None
    first_name: str | None
    last_name: str | None
    company_name: str | None
    email: str | None
    phone: str | None
    company_domain: str | None
    website: str | None
    linkedin_url: str | None
    status: str
    source: str
    created_at: datetime


def insert_new_lead(
    session: Session, row: dict, performed_by_id: uuid.UUID | None, on_its_own: bool = False
) -> NewLead | None:
    """Store the lead in `row` (column values, created_at set); None if the email is taken.

    `on_its_own`: commit the new rows now if the session has nothing else going on
    (see the module's note); what the caller does next gets a transaction of its own.
    """
    row = {**DEFAULTS, "id": uuid.uuid4(), **row}
    activity = {
        "id": uuid.uuid4(),
        "workspace_id": row["workspace_id"],
        "lead_id": row["id"],
        "activity_type": "created",
        "description": f"Lead created from {row['source']}",
        "performed_by_id": performed_by_id,
        "created_at": row["created_at"],
    }
    event = event_row(
        row["workspace_id"],
        "LeadCreated",
        row["id"],
        {"email": row.get("email"), "source": row["source"]},
    )
    if session.get_bind().dialect.name == "postgresql":
        alone = on_its_own and _idle(session)
        stored = _insert_in_one_statement(session, row, activity, event, alone)
    else:
        stored = _insert_one_by_one(session, row, activity, event)
    if not stored:
        return None
    note_events_written(session)  # the caller's commit kicks the relay
    return NewLead(**{name: row.get(name) for name in NewLead.__dataclass_fields__})


def _idle(session: Session) -> bool:
    """No transaction begun and nothing waiting to be flushed into one."""
    plain = session() if isinstance(session, scoped_session) else session
    return not plain.in_transaction() and not (plain.new or plain.dirty or plain.deleted)


def _insert_in_one_statement(
    session: Session, row: dict, activity: dict, event: dict, alone: bool
) -> bool:
    params = {k: json.dumps(v) if k in JSON_COLUMNS else v for k, v in row.items()}
    params.update({f"activity_{k}": v for k, v in activity.items()})
    params.update({f"event_{k}": v for k, v in event.items()})
    params["event_payload"] = json.dumps(event["payload"])
    statement = _cte_sql(tuple(sorted(row)))
    if alone:
        # A connection of its own in autocommit: the session never begins a transaction,
        # so whatever the caller does next gets a real one.
        with session.get_bind().connect() as own:
            own = own.execution_options(isolation_level="AUTOCOMMIT")
            try:
                return _run(own.connection, statement, params)
            except own.dialect.loaded_dbapi.OperationalError:
                # Driver-level SQL: SQLAlchemy did not see the connection die. Dropped
                # here, it is not reset (a ROLLBACK over a dead socket) on its way back.
                own.invalidate()
                raise
    session.flush()  # driver-level SQL does not autoflush; the rows may point at pending ones
    return _run(session.connection().connection, statement, params)


def _run(dbapi_connection, statement: str, params: dict) -> bool:
    # The DBAPI cursor: none of the result machinery a single id does not need.
    with dbapi_connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone() is not None


@lru_cache(maxsize=64)
def _cte_sql(columns: tuple[str, ...]) -> str:
    """The statement for this set of lead columns (names from the model, never from input)."""
    unknown = set(columns) - set(LEADS.c.keys())
    if unknown:
        raise ValueError(f"not lead columns: {sorted(unknown)}")
    values = ", ".join(f"%({c})s::json" if c in JSON_COLUMNS else f"%({c})s" for c in columns)
    return (
        f"WITH new_lead AS (INSERT INTO leads ({', '.join(columns)}) VALUES ({values})"  # noqa: S608
        " ON CONFLICT (workspace_id, email_normalized) DO NOTHING RETURNING id),"
        " new_activity AS (INSERT INTO lead_activities"
        " (id, workspace_id, lead_id, activity_type, description, performed_by_id, created_at)"
        " SELECT %(activity_id)s, %(activity_workspace_id)s, id, %(activity_activity_type)s,"
        " %(activity_description)s, %(activity_performed_by_id)s, %(activity_created_at)s"
        " FROM new_lead),"
        " new_event AS (INSERT INTO events (workspace_id, event_type, lead_id, payload, created_at)"
        " SELECT %(event_workspace_id)s, %(event_event_type)s, id, %(event_payload)s::json,"
        " %(event_created_at)s FROM new_lead)"
        " SELECT id FROM new_lead"
    )


SQLITE_LEAD_INSERT = (
    sqlite.insert(LEADS)
    .on_conflict_do_nothing(index_elements=["workspace_id", "email_normalized"])
    .returning(LEADS.c.id)
)


def _insert_one_by_one(session: Session, row: dict, activity: dict, event: dict) -> bool:
    if session.execute(SQLITE_LEAD_INSERT, row).first() is None:
        return False
    session.execute(insert(LeadActivity.__table__), activity)
    session.execute(insert(Event.__table__), event)
    return True
