"""The import's bulk writes on PostgreSQL: COPY into a staging table, then set-based SQL.

New leads: COPY into `import_stage_new` the columns that vary by row, then one
statement inserts them (ON CONFLICT on the workspace's email index: a lead stored
meanwhile is skipped, and reported back as a duplicate) together with their "imported"
activity, LeadCreated event, change record, list membership and tags (data-modifying
CTEs). The values every lead of the batch shares (workspace, source, timestamps, the
model's defaults) are bound once as parameters, not copied 5,000 times. Updates: COPY the changed
values into `import_stage_update` (NULL = leave as is; an import never clears a
field) and one UPDATE … FROM. Both staging tables are temporary, per connection, and
empty themselves at commit (a batch uses each once).
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from psycopg.types.json import Json
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from webapp.services.events.outbox import iso
from webapp.services.leads.insert import JSON_COLUMNS, LEADS

LEAD_COLUMNS = frozenset(LEADS.c.keys())
DIALECT = postgresql.dialect()


def _cursor(session: Session):
    session.flush()
    return session.connection().connection.cursor()


def _stage(cursor, name: str) -> None:
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS"  # noqa: S608
        " AS SELECT * FROM leads WITH NO DATA"
    )


def _json(column: str, value):
    return Json(value) if column in JSON_COLUMNS and value is not None else value


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608
        if JSON_COLUMNS.isdisjoint(columns):
            for values in rows:
                copy.write_row([values.get(c) for c in columns])
            return
        for values in rows:
            copy.write_row([_json(c, values.get(c)) for c in columns])


@lru_cache(maxsize=64)
def _insert_sql(columns: tuple[str, ...], shared: tuple[str, ...]) -> str:
    """The CTE for staged `columns`, the `shared` ones (the same for every row) bound once."""
    unknown = (set(columns) | set(shared)) - LEAD_COLUMNS
    if unknown:
        raise ValueError(f"not lead columns: {sorted(unknown)}")
    names = ", ".join(columns + shared)
    values = ", ".join(
        [*columns, *(f"CAST(%(lead_{c})s AS {LEADS.c[c].type.compile(DIALECT)})" for c in shared)]
    )
    return (
        f"WITH new AS (INSERT INTO leads ({names}) SELECT {values} FROM import_stage_new"  # noqa: S608
        " ON CONFLICT (workspace_id, email_normalized) DO NOTHING RETURNING id, email),"
        " activity AS (INSERT INTO lead_activities"
        " (id, workspace_id, lead_id, activity_type, description, data, performed_by_id,"
        " created_at) SELECT gen_random_uuid(), %(ws)s, id, 'imported', %(description)s,"
        " %(data)s::json, %(user_id)s, %(now)s FROM new),"
        " event AS (INSERT INTO events (workspace_id, event_type, lead_id, payload, created_at)"
        " SELECT %(ws)s, 'LeadCreated', id, json_build_object('event_type', 'LeadCreated',"
        " 'lead_id', id::text, 'email', email, 'source', %(source)s::text,"
        " 'timestamp', %(timestamp)s::text), %(now)s FROM new),"
        " change AS (INSERT INTO lead_import_changes (id, import_id, lead_id, kind,"
        " membership_added) SELECT gen_random_uuid(), %(import_id)s, id, 'created', true"
        " FROM new),"
        " member AS (INSERT INTO lead_list_members (id, lead_list_id, lead_id, added_at,"
        " added_by_id) SELECT gen_random_uuid(), %(list_id)s, id, %(now)s, %(user_id)s"
        " FROM new),"
        " tagged AS (INSERT INTO lead_tags (lead_id, tag_id) SELECT new.id, t.tag_id FROM new"
        " CROSS JOIN unnest(%(tag_ids)s::uuid[]) AS t(tag_id))"
        " SELECT id FROM new"
    )


def insert_new_leads(session: Session, ctx, new, now, description: str) -> set[uuid.UUID]:
    """Insert `new` (batch.NewLeadRows) with their side rows; the ids the index let in."""
    shared = tuple(sorted(new.shared))
    with _cursor(session) as cursor:
        _stage(cursor, "import_stage_new")
        _copy(cursor, "import_stage_new", new.columns, new.rows)
        cursor.execute(
            _insert_sql(tuple(new.columns), shared),
            {
                **{f"lead_{c}": _json(c, new.shared[c]) for c in shared},
                "ws": ctx.workspace_id,
                "description": description,
                "data": Json({"import_id": str(ctx.import_id)}),
                "user_id": ctx.user_id,
                "now": now,
                "source": ctx.source,
                "timestamp": iso(now),
                "import_id": ctx.import_id,
                "list_id": ctx.list_id,
                "tag_ids": list(ctx.tag_ids),
            },
        )
        return {row[0] for row in cursor.fetchall()}


def update_leads(session: Session, ctx, updates: dict, now) -> None:
    columns = sorted({name for changes in updates.values() for name in changes})
    unknown = set(columns) - LEAD_COLUMNS
    if unknown:
        raise ValueError(f"not lead columns: {sorted(unknown)}")
    assignments = ", ".join(f"{c} = COALESCE(s.{c}, l.{c})" for c in columns)
    with _cursor(session) as cursor:
        _stage(cursor, "import_stage_update")
        _copy(
            cursor,
            "import_stage_update",
            ["id", *columns],
            ({"id": lead_id, **changes} for lead_id, changes in updates.items()),
        )
        cursor.execute(
            f"UPDATE leads AS l SET {assignments}, updated_at = %(now)s"  # noqa: S608
            " FROM import_stage_update AS s WHERE l.id = s.id",
            {"now": now},
        )
