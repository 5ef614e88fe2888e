"""Cursor paging over a lead filter's sort: keyset on (sort value, id), as an opaque token.

A page at any depth costs what the first page costs (an OFFSET deep into a million
rows does not: see DESIGN.md's measurements). The token names the sort it was made
for, so a cursor sent with another sort is refused rather than silently misread.
Blanks (NULL) sort as `filters.sort_order` puts them: last going up, first going down.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, or_

from webapp.models import Lead
from webapp.services.errors import ValidationFailed
from webapp.services.leads.filters import SORTS, LeadFilter

CURSOR_FIELD = "cursor"
MAX_CURSOR_LENGTH = 1_000


@dataclass(frozen=True)
class Cursor:
    sort: str
    direction: str
    value: object  # the last row's sort value (None for a blank)
    id: uuid.UUID


def _plain(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    return value


def _typed(value):
    if isinstance(value, dict) and len(value) == 1:
        kind, text = next(iter(value.items()))
        converters = {"dt": datetime.fromisoformat, "dec": Decimal, "uuid": uuid.UUID}
        if kind in converters and isinstance(text, str):
            return converters[kind](text)
    if value is None or isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    raise ValueError("not a sort value")


def encode_cursor(cursor: Cursor) -> str:
    data = [cursor.sort, cursor.direction, _plain(cursor.value), str(cursor.id)]
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, lead_filter: LeadFilter) -> Cursor:
    """The cursor in `token`, made for this filter's sort; ValidationFailed otherwise."""
    try:
        if len(token) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        sort, direction, value, lead_id = json.loads(raw)
        cursor = Cursor(sort, direction, _typed(value), uuid.UUID(lead_id))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            {CURSOR_FIELD: "is not a cursor this API gave out (use next_cursor as it came)"}
        ) from None
    if (cursor.sort, cursor.direction) != (lead_filter.sort, lead_filter.direction):
        raise ValidationFailed(
            {CURSOR_FIELD: "was made for another sort; send the same sort and direction"}
        )
    return cursor


def sort_column(lead_filter: LeadFilter):
    return SORTS[lead_filter.sort]


def after_condition(lead_filter: LeadFilter, cursor: Cursor):
    """Rows that come after the cursor in the filter's order (sort value, then id)."""
    column = sort_column(lead_filter)
    value, last_id = cursor.value, cursor.id
    if lead_filter.direction == "desc":  # blanks first, then values down; ids down
        if value is None:
            return or_(and_(column.is_(None), Lead.id < last_id), column.is_not(None))
        return or_(column < value, and_(column == value, Lead.id < last_id))
    # ascending: values up, then blanks; ids up
    if value is None:
        return and_(column.is_(None), Lead.id > last_id)
    return or_(column > value, and_(column == value, Lead.id > last_id), column.is_(None))
