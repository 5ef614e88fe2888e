"""Uploaded files kept for a job to read (UploadedFile): checked, then stored."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.models.target_clients import UploadedFile
from webapp.services.errors import ValidationFailed

ALLOWED_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json", ".txt")


def store_upload(session: Session, workspace_id: uuid.UUID, purpose: str, file) -> UploadedFile:
    """`file` (a werkzeug FileStorage) as an UploadedFile; the caller commits."""
    if file is None or not file.filename:
        raise ValidationFailed({"file": "is required"})
    name = file.filename.replace("\x00", "")[-255:]
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationFailed({"file": "must be a .csv or .jsonl file"})
    content = file.read()
    if not content.strip():
        raise ValidationFailed({"file": "is empty"})
    upload = UploadedFile(
        workspace_id=workspace_id, purpose=purpose, filename=name, content=content
    )
    session.add(upload)
    session.flush()
    return upload
