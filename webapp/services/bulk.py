"""Bulk writing helpers: many ids at once, and rows inserted the fastest way the database has."""

from __future__ import annotations

import secrets
import uuid

import sqlalchemy as sa
from sqlalchemy import insert
from sqlalchemy.orm import Session


def new_ids(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) UUIDs from one read of the system's randomness:
    uuid4() reads it once per id, which costs ~0.1 ms each on a busy machine."""
    data = secrets.token_bytes(16 * count)
    return [uuid.UUID(bytes=data[i : i + 16], version=4) for i in range(0, 16 * count, 16)]


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def bulk_insert(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """Insert `rows` in the session's transaction: COPY on PostgreSQL, else executemany."""
    if not rows:
        return
    if not on_postgresql(session):
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection
    command = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(command) as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
