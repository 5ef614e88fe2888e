"""One batch of an import: rows cleaned by the one input schema, matched, written at once.

Every row goes through `clean_lead_fields` (webapp/services/leads/input.py); a row it
refuses is kept as a rejected row with its line and reason, and the import goes on.
Rows are matched to leads like every other way in: one lead per email per workspace
(the unique index decides), and a row without an email by its LinkedIn URL, else its
phone. A match is left alone (skip), gets its empty fields filled (fill) or takes the
file's non-empty values (overwrite). What the import did to each lead is recorded in
`lead_import_changes` (created, or the old and new values of the fields it changed),
which revert reads.

The batch's writes, the import's counts and its checkpoint commit together (the
caller commits): a retry after a killed worker starts after the last committed batch.
A batch is BATCH_SIZE rows: large enough that the per-batch statements (checkpoint,
lookups, counts, commit) cost little per row, small enough that the few batches the
reader thread parses ahead stay a few MB whatever the file's size.
On PostgreSQL new leads are COPied into a staging table and inserted with their
activity, event, change record, list membership and tags in one set-based statement;
updates go through a second staging table (UPDATE … FROM). Elsewhere the same rows are
written with batched statements.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.models import Event, ImportChange, ImportRejectedRow, LeadActivity, LeadImport
from webapp.models.base import utcnow
from webapp.models.leads import CLOSED_STATUSES, full_name_of, lead_tags
from webapp.models.lists import LeadList, LeadListMember
from webapp.services.bulk import new_ids
from webapp.services.errors import ValidationFailed
from webapp.services.events.outbox import iso
from webapp.services.events.relay_kick import note_events_written
from webapp.services.imports.mapping import RAW, TARGET_FIELDS
from webapp.services.imports.reading import Record
from webapp.services.leads.input import clean_lead_fields
from webapp.services.leads.insert import DEFAULTS, LEADS
from webapp.services.leads.tags import get_or_create_tags
from webapp.services.normalize import normalize_email_key

BATCH_SIZE = 5000
RAW_LIMIT = 5_000
ORIGINAL_LIMIT = 5_000
NAME_FIELDS = ("first_name", "last_name", "full_name")
CHANGES = ImportChange.__table__
MEMBERS = LeadListMember.__table__


class CheckpointMoved(RuntimeError):
    """Another attempt of this import committed this batch already."""


@dataclass
class ImportContext:
    import_id: uuid.UUID
    workspace_id: uuid.UUID
    user_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    list_id: uuid.UUID
    policy: str
    source: str
    file_name: str
    headers: list[str]
    field_columns: list[tuple[int, str]]
    raw_columns: list[tuple[int, str]]
    tag_ids: list[uuid.UUID]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for _, f in self.field_columns)

    @property
    def written(self) -> tuple[str, ...]:
        """The lead columns an import may write on an existing lead."""
        extra = ("raw_data",) if self.raw_columns else ()
        extra += ("assigned_to_id",) if self.owner_id else ()
        fields = self.fields
        if {"first_name", "last_name"} & set(fields) and "full_name" not in fields:
            fields += ("full_name",)
        return tuple(f for f in fields if f != "email") + extra


def prepare(session: Session, imp: LeadImport) -> ImportContext:
    mapping = list(imp.mapping or [])
    headers = list(imp.headers or [])
    tags = get_or_create_tags(session, imp.workspace_id, imp.tags or [])
    return ImportContext(
        import_id=imp.id,
        workspace_id=imp.workspace_id,
        user_id=imp.created_by_id,
        owner_id=imp.owner_id,
        list_id=imp.lead_list_id,
        policy=imp.duplicate_policy,
        source=imp.source,
        file_name=imp.file_name,
        headers=headers,
        field_columns=[(i, f) for i, f in enumerate(mapping) if f in TARGET_FIELDS],
        raw_columns=[(i, headers[i]) for i, f in enumerate(mapping) if f == RAW],
        tag_ids=[t.id for t in tags],
    )


@dataclass
class Row:
    line: int
    values: dict
    key: tuple[str, str]
    id: uuid.UUID | None = None  # the new lead's, given by parse_batch


@dataclass
class Rejected:
    line: int
    values: dict
    reason: str


@dataclass
class BatchResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: int = 0
    members_added: int = 0


def linkedin_key(url: str) -> str:
    text = url.strip().lower().split("?", 1)[0].split("#", 1)[0]
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.removeprefix("www.").rstrip("/")


def _linkedin_variants(key: str) -> list[str]:
    forms = []
    for lead in ("https://www.", "https://", "http://www.", "http://", "www.", ""):
        forms += [lead + key, lead + key + "/"]
    return forms


def original_values(ctx: ImportContext, record: Record) -> dict:
    if record.values is None:
        return {"line": (record.raw or "")[:ORIGINAL_LIMIT]}
    names = ctx.headers + [f"Column {n}" for n in range(len(ctx.headers) + 1, 1000)]
    return {
        names[i]: value[:ORIGINAL_LIMIT] for i, value in enumerate(record.values) if value != ""
    }


def parse_record(ctx: ImportContext, record: Record) -> Row | Rejected:
    """The row's lead values through the one input schema, or why it is rejected."""
    if record.problem:
        return Rejected(record.line, original_values(ctx, record), record.problem)
    data = {name: record.values[i] for i, name in ctx.field_columns}
    try:
        cleaned = clean_lead_fields(data, ctx.fields)
    except ValidationFailed as exc:
        reason = "; ".join(f"{TARGET_FIELDS.get(k, k)}: {v}" for k, v in exc.errors.items())
        return Rejected(record.line, original_values(ctx, record), reason)
    values = {k: v for k, v in cleaned.items() if v is not None}
    values.pop("email_normalized", None)
    if not values.get("full_name"):
        name = full_name_of(values.get("first_name"), values.get("last_name"))
        if name:
            values["full_name"] = name
    raw = {}
    for i, header in ctx.raw_columns:
        value = record.values[i].strip()
        if len(value) > RAW_LIMIT:
            reason = f"{header}: must be at most {RAW_LIMIT:,} characters"
            return Rejected(record.line, original_values(ctx, record), reason)
        if value:
            raw[header] = value
    if raw:
        values["raw_data"] = raw
    if ctx.owner_id:
        values["assigned_to_id"] = ctx.owner_id
    if values.get("email"):
        key = ("email", normalize_email_key(values["email"]))
    elif values.get("linkedin_url"):
        key = ("linkedin", linkedin_key(values["linkedin_url"]))
    elif values.get("phone"):
        key = ("phone", values["phone"])
    else:
        reason = "needs an email, LinkedIn URL or phone: rows are matched to leads by them"
        return Rejected(record.line, original_values(ctx, record), reason)
    return Row(record.line, values, key)


def _empty(value) -> bool:
    return value is None or value == "" or value == {}


def changes_for(current: dict, incoming: dict, policy: str, fields) -> dict:
    """The fields a matching row changes on `current` under the duplicate policy."""
    if policy == "skip":
        return {}
    changes = {}
    named = any(not _empty(current.get(name)) for name in NAME_FIELDS)
    for name in fields:
        new = incoming.get(name)
        if _empty(new) or name == "email":
            continue
        old = current.get(name)
        if policy == "fill":
            if named and name in NAME_FIELDS:
                continue  # a name is filled whole or not at all
            if _empty(old):
                changes[name] = new
        elif _comparable(old) != _comparable(new):
            changes[name] = new
    return changes


def _comparable(value):
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def jsonable(value):
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


@dataclass
class ParsedBatch:
    """A batch read and cleaned (no database needed), ready for `apply_batch`."""

    read: int
    rows: dict[tuple[str, str], Row]
    rejected: list[Rejected]
    folded_updated: int = 0
    folded_skipped: int = 0


def parse_batch(ctx: ImportContext, records: list[Record]) -> ParsedBatch:
    """Each row through the input schema; a key seen twice folds into its first row."""
    batch = ParsedBatch(read=len(records), rows={}, rejected=[])
    for record in records:
        parsed = parse_record(ctx, record)
        if isinstance(parsed, Rejected):
            batch.rejected.append(parsed)
            continue
        first = batch.rows.get(parsed.key)
        if first is None:
            batch.rows[parsed.key] = parsed
            continue
        # The same lead twice in the file: the later row is a duplicate of the first.
        folded = changes_for(first.values, parsed.values, ctx.policy, ctx.written)
        first.values.update(folded)
        if folded:
            batch.folded_updated += 1
        else:
            batch.folded_skipped += 1
    for row, lead_id in zip(batch.rows.values(), new_ids(len(batch.rows)), strict=True):
        row.id = lead_id
    return batch


def apply_batch(
    session: Session, ctx: ImportContext, batch: ParsedBatch | list[Record], checkpoint: int
) -> BatchResult:
    """Write one batch; `checkpoint` is the import's checkpoint the batch starts from."""
    if not isinstance(batch, ParsedBatch):
        batch = parse_batch(ctx, batch)
    result = BatchResult(
        read=batch.read,
        updated=batch.folded_updated,
        skipped=batch.folded_skipped,
        invalid=len(batch.rejected),
    )
    _advance_checkpoint(session, ctx, checkpoint, checkpoint + batch.read)
    rows = batch.rows
    now = utcnow()
    existing = _find_existing(session, ctx, list(rows.values()))
    new_rows = [row for key, row in rows.items() if key not in existing]
    created_ids = _insert_new(session, ctx, new_rows, now)
    result.created = len(created_ids)
    result.members_added += len(created_ids)
    raced = [row for row in new_rows if row.id not in created_ids]
    if raced:  # their email was stored meanwhile: they are duplicates after all
        existing.update(_find_existing(session, ctx, raced))
    matched = [(rows[key], lead) for key, lead in existing.items() if key in rows]
    updated, skipped, members = _apply_to_existing(session, ctx, matched, now)
    result.updated += updated
    result.skipped += skipped + sum(1 for row in raced if row.key not in existing)
    result.members_added += members
    _store_rejected(session, ctx, batch.rejected)
    _count(session, ctx, result)
    if created_ids:
        note_events_written(session)
    return result


STATISTICS_TABLES = ("leads", "lead_import_changes", "lead_list_members")


def refresh_statistics(session: Session) -> None:
    """ANALYZE the tables an import grows (PostgreSQL), as their size doubles.

    Autovacuum's analyze lags behind a bulk load; until it runs, the planner takes
    the growing leads table for empty and looks rows up by a workspace-wide scan
    instead of the email index: each batch's lookups then slow down with every row
    loaded. The job calls this (and commits) whenever its created leads have doubled.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in STATISTICS_TABLES:
        session.execute(sa.text(f"ANALYZE {table}"))  # noqa: S608  (names above)


def _advance_checkpoint(session: Session, ctx: ImportContext, start: int, end: int) -> None:
    # First statement of the batch: it locks the import's row, so a second attempt
    # of the same batch (an abandoned worker still alive) waits, then finds it moved.
    moved = session.execute(
        sa.update(LeadImport.__table__)
        .where(LeadImport.id == ctx.import_id, LeadImport.checkpoint == start)
        .values(checkpoint=end)
    ).rowcount
    if moved != 1:
        raise CheckpointMoved(f"import {ctx.import_id}: checkpoint is no longer {start}")


def _count(session: Session, ctx: ImportContext, result: BatchResult) -> None:
    table = LeadImport.__table__
    session.execute(
        sa.update(table)
        .where(table.c.id == ctx.import_id)
        .values(
            done_rows=table.c.done_rows + result.read,
            created_count=table.c.created_count + result.created,
            updated_count=table.c.updated_count + result.updated,
            skipped_count=table.c.skipped_count + result.skipped,
            invalid_count=table.c.invalid_count + result.invalid,
        )
    )
    if result.members_added:
        lists = LeadList.__table__
        session.execute(
            sa.update(lists)
            .where(lists.c.id == ctx.list_id)
            .values(lead_count=lists.c.lead_count + result.members_added)
        )


def _store_rejected(session: Session, ctx: ImportContext, rejected: list[Rejected]) -> None:
    if not rejected:
        return
    session.execute(
        sa.insert(ImportRejectedRow.__table__),
        [
            {
                "id": uuid.uuid4(),
                "import_id": ctx.import_id,
                "line": r.line,
                "values": r.values,
                "reason": r.reason[:2000],
            }
            for r in rejected
        ],
    )


# -- matching -------------------------------------------------------------------------


def _lead_columns(ctx: ImportContext):
    names = {"id", "email_normalized", "linkedin_url", "phone", *ctx.written, *NAME_FIELDS}
    return [LEADS.c[name] for name in sorted(names)]


def _chunks(session: Session, values: list) -> list[list]:
    if session.get_bind().dialect.name == "postgresql":
        return [values] if values else []  # one array parameter, however long
    return [values[start : start + 1000] for start in range(0, len(values), 1000)]


def _among(session: Session, column, values: list):
    """`column IN values`; on PostgreSQL `= ANY(array)`, one parameter whatever the count,
    so the statement compiles once and is cached (an IN of 1,000 compiles each time)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("among", values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def _find_existing(session: Session, ctx: ImportContext, rows: list[Row]) -> dict:
    """Key -> the matching lead's current values, for the rows that match one."""
    found: dict[tuple[str, str], dict] = {}
    columns = _lead_columns(ctx)
    base = sa.select(*columns).where(LEADS.c.workspace_id == ctx.workspace_id)
    emails = [row.key[1] for row in rows if row.key[0] == "email"]
    for chunk in _chunks(session, emails):
        for lead in session.execute(base.where(_among(session, LEADS.c.email_normalized, chunk))):
            found[("email", lead.email_normalized)] = lead._asdict()
    for kind, column in (("linkedin", LEADS.c.linkedin_url), ("phone", LEADS.c.phone)):
        wanted = [row.key[1] for row in rows if row.key[0] == kind]
        if not wanted:
            continue
        forms = {}
        for key in wanted:
            for form in _linkedin_variants(key) if kind == "linkedin" else [key]:
                forms[form] = key
        for chunk in _chunks(session, list(forms)):
            query = base.where(_among(session, column, chunk))
            for lead in session.execute(query.order_by(LEADS.c.created_at, LEADS.c.id)).mappings():
                key = (kind, forms[lead[column.key]])
                found.setdefault(key, dict(lead))
    return found


# -- new leads --------------------------------------------------------------------------


@dataclass
class NewLeadRows:
    """The batch's new leads: the columns that vary by row, and the values all share."""

    columns: list[str]
    rows: list[dict]
    shared: dict

    def full_rows(self) -> list[dict]:
        return [{**self.shared, **values} for values in self.rows]


def _new_lead_rows(ctx: ImportContext, rows: list[Row], now) -> NewLeadRows:
    columns = sorted({"id", "email_normalized", *(name for row in rows for name in row.values)})
    defaults = {name: DEFAULTS[name] for name in columns if name in DEFAULTS}
    shared = {name: value for name, value in DEFAULTS.items() if name not in defaults}
    shared.update(
        workspace_id=ctx.workspace_id,
        source=ctx.source,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    closing = "status" in columns and any(
        row.values.get("status") in CLOSED_STATUSES for row in rows
    )
    if closing:
        columns.append("closed_at")
    else:
        shared["closed_at"] = None
    stored = []
    for row in rows:
        values = {**defaults, **row.values}
        values["id"] = row.id
        values["email_normalized"] = normalize_email_key(row.values.get("email"))
        if closing:
            values["closed_at"] = now if values.get("status") in CLOSED_STATUSES else None
        stored.append(values)
    return NewLeadRows(columns, stored, shared)


def _activity_text(ctx: ImportContext, changed: list[str] | None = None) -> str:
    text = f"Imported from {ctx.file_name}"
    if changed:
        text += "; changed " + ", ".join(f.replace("_", " ") for f in changed)
    return text


def _insert_new(session: Session, ctx: ImportContext, rows: list[Row], now) -> set[uuid.UUID]:
    if not rows:
        return set()
    new = _new_lead_rows(ctx, rows, now)
    if session.get_bind().dialect.name == "postgresql":
        from webapp.services.imports.postgres import insert_new_leads

        return insert_new_leads(session, ctx, new, now, _activity_text(ctx))
    return _insert_new_batched(session, ctx, new.full_rows(), now)


def _insert_new_batched(session, ctx, stored: list[dict], now) -> set[uuid.UUID]:
    statement = (
        sqlite.insert(LEADS)
        .on_conflict_do_nothing(index_elements=["workspace_id", "email_normalized"])
        .returning(LEADS.c.id)
    )
    created: set[uuid.UUID] = set()
    for values in stored:  # one by one: RETURNING tells which rows the index let in
        if session.execute(statement, values).first() is not None:
            created.add(values["id"])
    if not created:
        return created
    kept = [v for v in stored if v["id"] in created]
    session.execute(
        sa.insert(LeadActivity.__table__),
        [_activity_row(ctx, v["id"], now, _activity_text(ctx)) for v in kept],
    )
    session.execute(
        sa.insert(Event.__table__),
        [
            {
                "workspace_id": ctx.workspace_id,
                "event_type": "LeadCreated",
                "lead_id": v["id"],
                "payload": {
                    "event_type": "LeadCreated",
                    "lead_id": str(v["id"]),
                    "email": v.get("email"),
                    "source": ctx.source,
                    "timestamp": iso(now),
                },
                "created_at": now,
            }
            for v in kept
        ],
    )
    session.execute(
        sa.insert(CHANGES),
        [
            {
                "id": uuid.uuid4(),
                "import_id": ctx.import_id,
                "lead_id": v["id"],
                "kind": "created",
                "membership_added": True,
            }
            for v in kept
        ],
    )
    session.execute(
        sa.insert(MEMBERS),
        [
            {
                "id": uuid.uuid4(),
                "lead_list_id": ctx.list_id,
                "lead_id": v["id"],
                "added_at": now,
                "added_by_id": ctx.user_id,
            }
            for v in kept
        ],
    )
    if ctx.tag_ids:
        session.execute(
            sa.insert(lead_tags),
            [{"lead_id": v["id"], "tag_id": t} for v in kept for t in ctx.tag_ids],
        )
    return created


def _activity_row(ctx: ImportContext, lead_id, now, description: str, data=None) -> dict:
    return {
        "id": uuid.uuid4(),
        "workspace_id": ctx.workspace_id,
        "lead_id": lead_id,
        "activity_type": "imported",
        "description": description,
        "data": data or {"import_id": str(ctx.import_id)},
        "performed_by_id": ctx.user_id,
        "created_at": now,
    }


# -- leads that were there --------------------------------------------------------------


def _apply_to_existing(session: Session, ctx: ImportContext, matched, now) -> tuple[int, int, int]:
    """Policy changes, list membership, tags, change records and activities for matches."""
    if not matched:
        return 0, 0, 0
    updates: dict[uuid.UUID, dict] = {}
    olds: dict[uuid.UUID, dict] = {}
    updated = skipped = 0
    for row, lead in matched:
        changes = changes_for(lead, row.values, ctx.policy, ctx.written)
        if lead["id"] in updates:  # two keys of the batch matched the same lead
            changes = {k: v for k, v in changes.items() if k not in updates[lead["id"]]}
            updates[lead["id"]].update(changes)
        else:
            updates[lead["id"]] = changes
            olds[lead["id"]] = lead
        if changes:
            updated += 1
        else:
            skipped += 1
    _write_updates(session, ctx, {k: v for k, v in updates.items() if v}, now)
    lead_ids = list(updates)
    added = _add_members(session, ctx, lead_ids, now)
    tags_added = _add_tags(session, ctx, lead_ids)
    _record_changes(session, ctx, updates, olds, added, tags_added, now)
    return updated, skipped, len(added)


def _write_updates(session: Session, ctx: ImportContext, updates: dict, now) -> None:
    if not updates:
        return
    if session.get_bind().dialect.name == "postgresql":
        from webapp.services.imports.postgres import update_leads

        update_leads(session, ctx, updates, now)
        return
    for lead_id, changes in updates.items():
        session.execute(
            sa.update(LEADS).where(LEADS.c.id == lead_id).values(**changes, updated_at=now)
        )


def _add_members(session: Session, ctx: ImportContext, lead_ids, now) -> set[uuid.UUID]:
    if session.get_bind().dialect.name == "postgresql":
        statement = sa.text(
            "INSERT INTO lead_list_members (id, lead_list_id, lead_id, added_at, added_by_id)"
            " SELECT gen_random_uuid(), :list_id, t.lead_id, :now, :user_id"
            " FROM unnest(CAST(:ids AS uuid[])) AS t(lead_id)"
            " ON CONFLICT (lead_list_id, lead_id) DO NOTHING RETURNING lead_id"
        ).bindparams(sa.bindparam("ids", type_=postgresql.ARRAY(sa.Uuid)))
        found = session.execute(
            statement,
            {"list_id": ctx.list_id, "now": now, "user_id": ctx.user_id, "ids": list(lead_ids)},
        )
        return set(found.scalars())
    statement = (
        sqlite.insert(MEMBERS)
        .on_conflict_do_nothing(index_elements=["lead_list_id", "lead_id"])
        .returning(MEMBERS.c.lead_id)
    )
    added = set()
    for lead_id in lead_ids:
        values = {
            "id": uuid.uuid4(),
            "lead_list_id": ctx.list_id,
            "lead_id": lead_id,
            "added_at": now,
            "added_by_id": ctx.user_id,
        }
        if session.execute(statement, values).first() is not None:
            added.add(lead_id)
    return added


def _add_tags(session: Session, ctx: ImportContext, lead_ids) -> dict[uuid.UUID, list]:
    if not ctx.tag_ids or not lead_ids:
        return {}
    have = {
        (row.lead_id, row.tag_id)
        for row in session.execute(
            sa.select(lead_tags.c.lead_id, lead_tags.c.tag_id).where(
                lead_tags.c.lead_id.in_(lead_ids), lead_tags.c.tag_id.in_(ctx.tag_ids)
            )
        )
    }
    wanted = [
        {"lead_id": lead_id, "tag_id": tag_id}
        for lead_id in lead_ids
        for tag_id in ctx.tag_ids
        if (lead_id, tag_id) not in have
    ]
    if wanted:
        session.execute(sa.insert(lead_tags), wanted)
    added: dict[uuid.UUID, list] = {}
    for pair in wanted:
        added.setdefault(pair["lead_id"], []).append(str(pair["tag_id"]))
    return added


def _record_changes(session, ctx, updates, olds, members_added, tags_added, now) -> None:
    lead_ids = list(updates)
    known = {
        row.lead_id: row
        for row in session.execute(
            sa.select(CHANGES).where(
                CHANGES.c.import_id == ctx.import_id, CHANGES.c.lead_id.in_(lead_ids)
            )
        )
    }
    fresh, activities = [], []
    for lead_id, changes in updates.items():
        old = {k: jsonable(olds[lead_id].get(k)) for k in changes}
        new = {k: jsonable(v) for k, v in changes.items()}
        prior = known.get(lead_id)
        if prior is None:
            fresh.append(
                {
                    "id": uuid.uuid4(),
                    "import_id": ctx.import_id,
                    "lead_id": lead_id,
                    "kind": "updated",
                    "old_values": old,
                    "new_values": new,
                    "membership_added": lead_id in members_added,
                    "tags_added": tags_added.get(lead_id),
                }
            )
            data = {"import_id": str(ctx.import_id), "changed": sorted(changes)}
            activities.append(
                _activity_row(ctx, lead_id, now, _activity_text(ctx, sorted(changes)), data)
            )
            continue
        if not changes and lead_id not in members_added and lead_id not in tags_added:
            continue
        # Touched again later in the file: the values before the import stay the first seen.
        merged_old = {**old, **(prior.old_values or {})}
        merged_new = {**(prior.new_values or {}), **new}
        session.execute(
            sa.update(CHANGES)
            .where(CHANGES.c.id == prior.id)
            .values(
                old_values=merged_old if prior.kind == "updated" else prior.old_values,
                new_values=merged_new if prior.kind == "updated" else prior.new_values,
                membership_added=prior.membership_added or lead_id in members_added,
                tags_added=(prior.tags_added or []) + tags_added.get(lead_id, []) or None,
            )
        )
    if fresh:
        session.execute(sa.insert(CHANGES), fresh)
    if activities:
        session.execute(sa.insert(LeadActivity.__table__), activities)
        session.execute(
            sa.update(LEADS)
            .where(LEADS.c.id.in_([a["lead_id"] for a in activities]))
            .values(last_activity_at=now)
        )


def dumps(value) -> str:
    return json.dumps(value, default=str)
