"""Loading core companies and people in bulk: upsert by domain / email / LinkedIn URL.

Rows go in batches through a temporary staging table: COPY on PostgreSQL, a batched
executemany on SQLite. Then set-based statements do the upsert (companies: INSERT …
ON CONFLICT (domain) DO UPDATE; people: resolve each row to an existing person by
email, else by LinkedIn URL, update those, insert the rest). A blank value never
erases a stored one. The caller commits after each batch (`after_batch`), so a
million rows never sit in one transaction, and a bad row costs only its report line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

import sqlalchemy as sa
from sqlalchemy import func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from webapp.models.base import utcnow
from webapp.models.core import CoreCompany, CorePerson
from webapp.services.bulk import new_ids
from webapp.services.core.records import (
    COMPANY_FIELDS,
    PEOPLE_FIELDS,
    RowError,
    read_rows,
)

BATCH_SIZE = 5_000
MAX_REPORTED_ERRORS = 1_000

_staging_metadata = sa.MetaData()
STAGE_COMPANIES = sa.Table(
    "core_load_companies",
    _staging_metadata,
    sa.Column("line", sa.Integer),
    sa.Column("id", sa.Uuid),
    sa.Column("domain", sa.String(255)),
    *[sa.Column(name, sa.BigInteger if name in ("employee_count", "revenue") else sa.Text)
      for name in COMPANY_FIELDS[1:]],
    prefixes=["TEMPORARY"],
)  # fmt: skip
STAGE_PEOPLE = sa.Table(
    "core_load_people",
    _staging_metadata,
    sa.Column("line", sa.Integer),
    sa.Column("id", sa.Uuid),
    *[sa.Column(name, sa.Text) for name in PEOPLE_FIELDS],
    sa.Column("target_id", sa.Uuid),
    sa.Column("company_id", sa.Uuid),
    prefixes=["TEMPORARY"],
)  # fmt: skip


@dataclass
class LoadReport:
    kind: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    merged: int = 0  # rows of the file that repeated an earlier row's key (merged into it)
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)

    def refuse(self, error: RowError) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "merged": self.merged,
            "failed": self.failed,
        }


def load_file(
    session: Session,
    kind: str,
    stream: IO[bytes],
    filename: str,
    after_batch: Callable[[LoadReport], bool] | None = None,
) -> LoadReport:
    """Load `stream` (CSV or JSON Lines) as `kind` ("companies" or "people").

    `after_batch(report)` runs after each batch (the caller commits there and reports
    progress); returning False stops the load. Raises ValidationFailed for a file it
    cannot read at all (e.g. no key column).
    """
    report = LoadReport(kind)
    batch: dict[str, dict] = {}
    aliases: dict[str, str] = {}
    for line, _values, row in read_rows(stream, filename, kind):
        report.read += 1
        if isinstance(row, RowError):
            report.refuse(row)
            continue
        row["line"] = line
        try:
            if _add(batch, aliases, kind, row):
                report.merged += 1
        except ValueError as exc:
            report.refuse(RowError(line, _values_of(row), str(exc)))
            continue
        if len(batch) >= BATCH_SIZE:
            _flush(session, kind, batch, report)
            batch, aliases = {}, {}
            if after_batch is not None and after_batch(report) is False:
                return report
    if batch:
        _flush(session, kind, batch, report)
    if after_batch is not None:
        after_batch(report)
    return report


def _add(batch: dict, aliases: dict, kind: str, row: dict) -> bool:
    """Put `row` in the batch; True when it merged into an earlier row with one of its keys.

    Within a batch each person (or company) is one row, so the set-based upsert never
    meets the same key twice; a later row's values win over an earlier one's.
    """
    keys = [row["domain"]] if kind == "companies" else [
        f"e:{row['email']}" if row["email"] else None,
        f"l:{row['linkedin_url']}" if row["linkedin_url"] else None,
    ]  # fmt: skip
    keys = [k for k in keys if k]
    matches = {aliases[k] for k in keys if k in aliases}
    if len(matches) > 1:
        raise ValueError("email and linkedin_url are two different people earlier in the file")
    found = next(iter(matches), None)
    if found is not None and kind == "people":
        earlier = batch[found]
        if row["email"] and earlier["email"] and row["email"] != earlier["email"]:
            raise ValueError(
                f"linkedin_url belongs to another person earlier in the file "
                f"(line {earlier['line']})"
            )
    if found is None:
        found = keys[0]
        batch[found] = row
        merged = False
    else:
        earlier = batch[found]
        for name, value in row.items():
            if value is not None and name != "line":
                earlier[name] = value
        merged = True
    for key in keys:
        aliases.setdefault(key, found)
    return merged


def _values_of(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("line", "id") and v is not None}


def _stage(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """The batch into an empty temporary table of this connection."""
    connection = session.connection()
    connection.execute(CreateTable(table, if_not_exists=True))
    if connection.dialect.name == "postgresql":
        # TRUNCATE, not DELETE: the table lives as long as the pooled connection, and
        # the dead rows of every earlier batch would be scanned again by each update.
        connection.execute(sa.text(f"TRUNCATE {table.name}"))
    else:
        connection.execute(table.delete())
    if connection.dialect.name == "postgresql":
        columns = [c.name for c in table.columns]
        raw = connection.connection.driver_connection
        command = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(command) as copy:
            for row in rows:
                copy.write_row([row.get(name) for name in columns])
        connection.execute(sa.text(f"ANALYZE {table.name}"))  # plans by the batch's real size
    else:
        connection.execute(table.insert(), rows)


def _insert_for(connection):
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


def _flush(session: Session, kind: str, batch: dict, report: LoadReport) -> None:
    rows = list(batch.values())
    for row, new_id in zip(rows, new_ids(len(rows)), strict=True):
        row["id"] = new_id
    if kind == "companies":
        _upsert_companies(session, rows, report)
    else:
        _upsert_people(session, rows, report)


def _upsert_companies(session: Session, rows: list[dict], report: LoadReport) -> None:
    _stage(session, STAGE_COMPANIES, rows)
    s, core = STAGE_COMPANIES, CoreCompany.__table__
    existing = session.execute(
        select(func.count()).select_from(s.join(core, core.c.domain == s.c.domain))
    ).scalar_one()
    now = utcnow()
    fields = COMPANY_FIELDS[1:]
    insert = _insert_for(session.connection())(core)
    statement = insert.from_select(
        ["id", "domain", *fields, "created_at", "updated_at"],
        select(s.c.id, s.c.domain, *[s.c[f] for f in fields],
               sa.literal(now, core.c.created_at.type), sa.literal(now, core.c.updated_at.type))
        .where(true()),  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    )  # fmt: skip
    statement = statement.on_conflict_do_update(
        index_elements=["domain"],
        set_={
            **{f: func.coalesce(statement.excluded[f], core.c[f]) for f in fields},
            "updated_at": statement.excluded.updated_at,
        },
    )
    session.execute(statement)
    # People loaded before their company: tie them to it now.
    people = CorePerson.__table__
    session.execute(
        update(people)
        .where(
            people.c.core_company_id.is_(None),
            people.c.company_domain.in_(select(s.c.domain)),
        )
        .values(
            core_company_id=select(core.c.id)
            .where(core.c.domain == people.c.company_domain)
            .scalar_subquery()
        )
    )
    report.updated += existing
    report.inserted += len(rows) - existing


def _upsert_people(session: Session, rows: list[dict], report: LoadReport) -> None:
    _stage(session, STAGE_PEOPLE, rows)
    s, core = STAGE_PEOPLE, CorePerson.__table__
    companies = CoreCompany.__table__
    by = {  # resolve: by email first, else by LinkedIn URL; and the company by domain
        "email": (s.c.target_id, core.c.id, core.c.email),
        "linkedin_url": (s.c.target_id, core.c.id, core.c.linkedin_url),
        "company_domain": (s.c.company_id, companies.c.id, companies.c.domain),
    }
    for name, (target, found_id, key) in by.items():
        condition = [s.c[name].is_not(None)]
        if name == "linkedin_url":
            condition.append(s.c.target_id.is_(None))
        session.execute(
            update(s)
            .where(*condition)
            .values({target: select(found_id).where(key == s.c[name]).scalar_subquery()})
        )
    _refuse_taken_linkedin(session, report)
    existing = session.execute(
        select(func.count()).select_from(s).where(s.c.target_id.is_not(None))
    ).scalar_one()
    fields = [f for f in PEOPLE_FIELDS]
    now = utcnow()
    session.execute(
        update(core)
        .where(core.c.id == s.c.target_id, s.c.target_id.is_not(None))
        .values(
            {
                **{f: func.coalesce(s.c[f], core.c[f]) for f in fields},
                "core_company_id": func.coalesce(s.c.company_id, core.c.core_company_id),
                "updated_at": now,
            }
        )
    )
    new = session.execute(
        select(func.count()).select_from(s).where(s.c.target_id.is_(None))
    ).scalar_one()
    session.execute(
        core.insert().from_select(
            ["id", *fields, "core_company_id", "created_at", "updated_at"],
            select(s.c.id, *[s.c[f] for f in fields], s.c.company_id,
                   sa.literal(now, core.c.created_at.type),
                   sa.literal(now, core.c.updated_at.type))
            .where(s.c.target_id.is_(None)),
        )
    )  # fmt: skip
    report.updated += existing
    report.inserted += new


def _refuse_taken_linkedin(session: Session, report: LoadReport) -> None:
    """A row whose LinkedIn URL is another stored person's is refused (never merged)."""
    s, core = STAGE_PEOPLE, CorePerson.__table__
    clash = (
        select(s.c.line, s.c.email, s.c.linkedin_url, core.c.email.label("holder"))
        .join(core, core.c.linkedin_url == s.c.linkedin_url)
        .where(s.c.target_id.is_not(None), core.c.id != s.c.target_id)
    )
    # Found by LinkedIn URL with an email of its own: a different person's email would
    # replace the stored one (and lose it), so the row is refused, never merged.
    other_email = (
        select(s.c.line, s.c.email, s.c.linkedin_url, core.c.email.label("holder"))
        .join(core, core.c.id == s.c.target_id)
        .where(s.c.email.is_not(None), core.c.email.is_not(None), core.c.email != s.c.email)
    )
    refused = session.execute(clash.union_all(other_email)).all()
    for row in refused:
        holder = f" ({row.holder})" if row.holder else ""
        report.refuse(
            RowError(
                row.line,
                {"email": row.email, "linkedin_url": row.linkedin_url},
                f"linkedin_url belongs to another person{holder}",
            )
        )
    if refused:
        session.execute(s.delete().where(s.c.line.in_([row.line for row in refused])))
