"""Per-user preferences kept on the user row (users.preferences, JSON).

Kept server-side so a choice follows the user to another browser or device. The
view that changes one commits.
"""

from __future__ import annotations

from webapp.data_tables import TABLES, Column
from webapp.models import User
from webapp.services.errors import ValidationFailed


def table_columns(user: User, table: str) -> list[Column]:
    """The columns `user` sees in `table`, in their order (the defaults until chosen)."""
    columns = TABLES[table]
    chosen = ((user.preferences or {}).get("columns") or {}).get(table)
    if not chosen:
        return [c for c in columns if c.default or c.required]
    by_key = {c.key: c for c in columns}
    shown = [by_key[key] for key in chosen if key in by_key]  # a column since dropped: gone
    missing = [c for c in columns if c.required and c not in shown]
    return missing + shown


def save_table_columns(user: User, table: str, keys: list[str]) -> list[Column]:
    """Remember the columns (in order) `user` wants in `table`; required ones always stay."""
    if table not in TABLES:
        raise ValidationFailed({"table": "is not a table"})
    known = {c.key for c in TABLES[table]}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationFailed({"columns": f"unknown column {unknown[0][:40]!r}"})
    ordered = list(dict.fromkeys(keys))  # duplicates dropped, first place kept
    preferences = dict(user.preferences or {})
    preferences["columns"] = {**preferences.get("columns", {}), table: ordered}
    user.preferences = preferences  # a new dict: the JSON column sees the change
    return table_columns(user, table)


def reset_table_columns(user: User, table: str) -> None:
    preferences = dict(user.preferences or {})
    columns = dict(preferences.get("columns", {}))
    columns.pop(table, None)
    preferences["columns"] = columns
    user.preferences = preferences
