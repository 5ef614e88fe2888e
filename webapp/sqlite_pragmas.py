"""SQLite foreign keys, on for every connection.

SQLite ships with foreign-key enforcement off and the setting lives per connection,
so without this the schema's ON DELETE CASCADE / SET NULL never run on the embedded
default: deleting a lead would leave its activities and list memberships behind.
PostgreSQL always enforces them; other drivers are left alone.

Migrations turn enforcement off for their own connection (migrations/env.py): batch
migrations recreate tables, and dropping the old table with foreign keys on would
cascade-delete its children.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _enforce_foreign_keys(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        set_foreign_keys(dbapi_connection, True)


def set_foreign_keys(dbapi_connection: sqlite3.Connection, enabled: bool) -> None:
    """Turn enforcement on or off; SQLite ignores the PRAGMA inside a transaction."""
    if dbapi_connection.in_transaction:
        raise RuntimeError("PRAGMA foreign_keys has no effect inside a transaction")
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    finally:
        cursor.close()
