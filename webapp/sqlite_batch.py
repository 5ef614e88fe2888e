"""Keeping a table's indexes through a batch migration on SQLite.

SQLite cannot alter most of a table, so Alembic's batch mode copies it into a new table,
and only the indexes it reflects come along: expression indexes made by hand (the leads'
ix_leads_ws_company and ix_leads_ws_name) are lost. A migration that batch-alters such a
table does so inside `indexes_kept`. Other databases alter in place and keep them.

Migrations import this module: change it only in ways every migration still runs with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import sqlalchemy as sa


@contextmanager
def indexes_kept(bind: sa.Connection, table: str) -> Iterator[None]:
    """Put back, after the block, every index `table` had before it on SQLite (one whose
    column the block dropped stays gone); elsewhere nothing."""
    if bind.dialect.name != "sqlite":
        yield
        return
    rows = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    )
    statements = [sql for (sql,) in rows]
    yield
    for sql in statements:
        sql = re.sub(r"^CREATE (UNIQUE )?INDEX ", r"CREATE \1INDEX IF NOT EXISTS ", sql)
        with suppress(sa.exc.OperationalError):  # its column went with this block
            bind.exec_driver_sql(sql)
