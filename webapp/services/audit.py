"""Audit rows for access to personal data and destructive actions."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from webapp.models import AuditLog


def record_audit(
    session: Session,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID | None,
    action: str,
    object_type: str | None = None,
    object_id: str | uuid.UUID | None = None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditLog:
    row = AuditLog(
        workspace_id=workspace_id,
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id else None,
        details=details,
        ip_address=ip_address,
    )
    session.add(row)
    return row


COMMAND_LINE = {"via": "command line"}  # details of rows written by a `flask …` command


def record_cli_audit(
    session: Session,
    workspace_id,
    action: str,
    object_type: str,
    object_id,
    details: dict | None = None,
) -> AuditLog:
    """An audit row of a `flask …` command: no user signed in; the log says where it came from."""
    return record_audit(
        session,
        workspace_id,
        None,
        action,
        object_type,
        object_id,
        {**(details or {}), **COMMAND_LINE},
    )


def changed_fields(row) -> list[str]:
    """The columns of `row` changed in this session and not yet flushed (for audit details)."""
    state = inspect(row)
    return sorted(
        attr.key
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes()
    )
