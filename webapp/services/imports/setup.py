"""An import from upload to start: store the file, read its shape, preview, choose options.

The file is kept under the instance folder (imports/<workspace>/<import id>.<ext>) so
the job, in another process or on a retry, reads the same bytes. Everything about a
file that can be refused (not CSV, no header, no identifying column) is refused here,
before any job runs.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Campaign, LeadImport, LeadList, Membership
from webapp.models.imports import DUPLICATE_POLICIES
from webapp.models.leads import SOURCES
from webapp.services.errors import NUL_REASON, NotFound, ValidationFailed, has_nul
from webapp.services.imports.mapping import check_mapping, guess_mapping
from webapp.services.imports.reading import FileShape, detect_shape, read_records
from webapp.services.leads.input import clean_tag_names
from webapp.services.lists.lists import NAME_MAX, create_list, find_or_create_list
from webapp.services.scoping import parse_uuid

PREVIEW_ROWS = 20
ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")


def import_folder(instance_path: str | Path, workspace_id) -> Path:
    folder = Path(instance_path) / "imports" / str(workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def safe_file_name(name: str | None) -> str:
    name = Path((name or "").replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())[:255]
    return name or "upload.csv"


def create_import(
    session: Session,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID | None,
    instance_path: str | Path,
    stream,
    file_name: str | None,
) -> LeadImport:
    """Store the uploaded `stream` and read its shape; refused (nothing kept) if unreadable."""
    file_name = safe_file_name(file_name)
    suffix = Path(file_name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        suffix = ".csv"
    import_id = uuid.uuid4()
    folder = import_folder(instance_path, workspace_id)
    target = folder / f"{import_id}{suffix}"
    with open(target, "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    try:
        shape = detect_shape(target, file_name)
    except Exception:
        target.unlink(missing_ok=True)
        raise
    imp = LeadImport(
        id=import_id,
        workspace_id=workspace_id,
        file_name=file_name,
        stored_path=str(target.relative_to(Path(instance_path))),
        size_bytes=target.stat().st_size,
        file_format=shape.file_format,
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        headers=shape.headers,
        mapping=guess_mapping(shape.headers),
        created_by_id=user_id,
    )
    session.add(imp)
    session.flush()
    return imp


def stored_file(imp: LeadImport, instance_path: str | Path) -> Path:
    return Path(instance_path) / imp.stored_path


def shape_of(imp: LeadImport) -> FileShape:
    return FileShape(imp.file_format, imp.encoding, imp.delimiter, list(imp.headers or []))


def preview_rows(imp: LeadImport, instance_path, limit: int = PREVIEW_ROWS) -> list:
    path = stored_file(imp, instance_path)
    records = read_records(path, shape_of(imp))
    try:
        return list(itertools.islice(records, limit))
    finally:
        records.close()


@dataclass
class ImportOptions:
    """What the mapping form (or the API) chose; checked by `configure_import`."""

    mapping: object = None
    duplicate_policy: str = "skip"
    list_id: str | None = None
    list_name: str | None = None
    source: str | None = None
    tags: object = None
    owner_id: str | None = None
    campaign_id: str | None = None


def default_list_name(campaign=None, today: date | None = None) -> str:
    """ "Import – <date>", after the campaign's name for a file uploaded to a campaign."""
    name = f"Import – {(today or date.today()).isoformat()}"
    return f"{campaign.name[:200]} – {name}" if campaign is not None else name


def configure_import(
    session: Session, imp: LeadImport, options: ImportOptions, user_id: uuid.UUID | None
) -> LeadImport:
    """Check the options and write them on the import (which must not have started)."""
    if imp.job_run_id is not None:
        raise ValidationFailed({"import": "has already started"})
    errors: dict[str, str] = {}
    headers = list(imp.headers or [])
    try:
        mapping = check_mapping(
            options.mapping if options.mapping is not None else imp.mapping, headers
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
        mapping = None
    policy = (options.duplicate_policy or "skip").strip()
    if policy not in DUPLICATE_POLICIES:
        errors["duplicate_policy"] = "must be skip, fill or overwrite"
    source = (options.source or "csv_import").strip()
    if source not in SOURCES:
        errors["source"] = f"must be one of {', '.join(SOURCES)}"
    try:
        tags = clean_tag_names(options.tags or [])
    except ValidationFailed as exc:
        errors.update(exc.errors)
        tags = []
    owner = None
    if options.owner_id:
        owner = parse_uuid(options.owner_id)
        member = (
            owner
            and session.execute(
                select(Membership).where(
                    Membership.workspace_id == imp.workspace_id, Membership.user_id == owner
                )
            ).scalar()
        )
        if not member:
            errors["owner_id"] = "must be a member of this workspace"
    campaign = None
    if options.campaign_id:
        wanted = parse_uuid(options.campaign_id)
        campaign = (
            wanted
            and session.execute(
                select(Campaign).where(
                    Campaign.id == wanted, Campaign.workspace_id == imp.workspace_id
                )
            ).scalar()
        )
        if not campaign:
            errors["campaign_id"] = "no such campaign"
    if errors:
        raise ValidationFailed(errors)
    lead_list = _target_list(session, imp, options, user_id, campaign)
    imp.mapping = mapping
    imp.duplicate_policy = policy
    imp.source = source
    imp.tags = tags
    imp.owner_id = owner
    imp.lead_list_id = lead_list.id
    imp.campaign_id = campaign.id if campaign else None
    session.flush()
    return imp


def _target_list(session, imp, options, user_id, campaign) -> LeadList:
    """The list the leads join: the one chosen by id, else always a new one (a name that is
    taken gets a number), so an import never mixes its leads into a list of the same name."""
    if options.list_id:
        try:
            return find_or_create_list(session, imp.workspace_id, options.list_id)
        except NotFound:
            raise ValidationFailed({"list_id": "no such list"}) from None
    name = (options.list_name or "").strip() or default_list_name(campaign)
    if len(name) > NAME_MAX:
        raise ValidationFailed({"list_name": f"must be at most {NAME_MAX} characters"})
    if has_nul(name):
        raise ValidationFailed({"list_name": NUL_REASON})
    return create_list(
        session, imp.workspace_id, unused_list_name(session, imp.workspace_id, name),
        created_by_id=user_id,
    )  # fmt: skip


def unused_list_name(session: Session, workspace_id, name: str) -> str:
    """`name`, else `name (2)`, `name (3)`… the first no list of the workspace has (archived
    lists included: names are unique across them)."""
    taken = set(
        session.execute(
            select(LeadList.name).where(
                LeadList.workspace_id == workspace_id,
                LeadList.name.startswith(name[: NAME_MAX - 12], autoescape=True),
            )
        ).scalars()
    )
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: NAME_MAX - len(suffix)].rstrip() + suffix
    return candidate
