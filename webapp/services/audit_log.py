"""The Audit page's rows: filtered, paged, and named in one query per kind of object."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import AuditLog, Lead, LeadList, User
from webapp.models.api_tokens import ApiToken
from webapp.models.crm import Contact
from webapp.models.forms import CaptureForm
from webapp.models.leads import NAMED_BY, display_name, name_shown
from webapp.models.merges import LeadMerge
from webapp.models.webhooks import WebhookEndpoint
from webapp.services.audit_words import Ref, action_label, detail_fields, sentence
from webapp.services.days import day_end, day_start
from webapp.services.paging import page_number

PER_PAGE = 50


@dataclass
class AuditFilter:
    user_id: uuid.UUID | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class AuditEntry:
    row: AuditLog
    actor: Ref | None  # None: the system
    parts: list
    details: list[tuple[str, str]]
    undo_merge_id: str | None = None  # a merge that can still be undone


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int = PER_PAGE
    actions: list[tuple[str, str]] = field(default_factory=list)  # (code, label)


def audit_page(
    session: Session,
    workspace_id: uuid.UUID,
    wanted: AuditFilter,
    raw_page,
    timezone: str = "UTC",
) -> AuditPage:
    query = select(AuditLog).where(AuditLog.workspace_id == workspace_id)
    if wanted.user_id:
        query = query.where(AuditLog.user_id == wanted.user_id)
    if wanted.action:
        query = query.where(AuditLog.action == wanted.action)
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    if wanted.start:
        query = query.where(AuditLog.created_at >= day_start(wanted.start, zone))
    if wanted.end:
        query = query.where(AuditLog.created_at < day_end(wanted.end, zone))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number(raw_page, total, PER_PAGE)
    rows = list(
        session.execute(
            query.order_by(AuditLog.created_at.desc(), AuditLog.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).scalars()
    )
    names, undoable = resolve_names(session, workspace_id, rows)
    entries = [_entry(row, names, undoable) for row in rows]
    return AuditPage(entries, total, page, actions=workspace_actions(session, workspace_id))


def workspace_actions(session: Session, workspace_id: uuid.UUID) -> list[tuple[str, str]]:
    """The actions the workspace's log holds, as (code, label), by label."""
    codes = session.execute(
        select(AuditLog.action).where(AuditLog.workspace_id == workspace_id).distinct()
    ).scalars()
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])


def _entry(row: AuditLog, names: dict, undoable: set) -> AuditEntry:
    actor = names.get(("user", str(row.user_id))) if row.user_id else None
    merge_id = (row.details or {}).get("merge_id") if row.action == "leads.merged" else None
    return AuditEntry(
        row=row,
        actor=actor,
        parts=sentence(row, names),
        details=detail_fields(row),
        undo_merge_id=merge_id if merge_id in undoable else None,
    )


def _ids(values) -> list[uuid.UUID]:
    parsed = []
    for value in values:
        try:
            parsed.append(uuid.UUID(str(value)))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(parsed))


def _wanted(rows: list[AuditLog]) -> dict[str, set]:
    """The ids each kind of object the rows name (their object, the users, merged leads)."""
    wanted: dict[str, set] = {}
    for row in rows:
        details = row.details or {}
        if row.user_id:
            wanted.setdefault("user", set()).add(row.user_id)
        if row.object_type and row.object_id:
            wanted.setdefault(row.object_type, set()).add(row.object_id)
        for key in ("other_lead_id", "kept_lead_id"):
            if details.get(key):
                wanted.setdefault("lead", set()).add(details[key])
        if details.get("merge_id"):
            wanted.setdefault("merge", set()).add(details["merge_id"])
    return wanted


# kind: (model, columns to read, how a row is named); one query per kind and page.
def _lead_name(row) -> str:
    return display_name(row)


LOOKUPS = {
    "lead": (Lead, (Lead.full_name, Lead.first_name, Lead.last_name), _lead_name),
    "user": (User, (User.name, User.email), lambda r: r.name or r.email),
    "list": (LeadList, (LeadList.name,), lambda r: r.name),
    "form": (CaptureForm, (CaptureForm.name,), lambda r: r.name),
    "webhook": (WebhookEndpoint, (WebhookEndpoint.url,), lambda r: r.url),
    "api_token": (
        ApiToken,
        (ApiToken.name, ApiToken.token_prefix),
        lambda r: f"{r.name} ({r.token_prefix}…)",
    ),
    "contact": (Contact, (Contact.full_name, Contact.email), lambda r: r.full_name or r.email),
}
LEAD_NAME_COLUMNS = tuple(getattr(Lead, f) for f in NAMED_BY)


def resolve_names(
    session: Session, workspace_id: uuid.UUID, rows: list[AuditLog]
) -> tuple[dict, set]:
    """Refs for every object the rows name, and the merges that can still be undone."""
    wanted = _wanted(rows)
    names: dict = {}
    for kind, (model, columns, naming) in LOOKUPS.items():
        ids = _ids(wanted.get(kind, ()))
        if not ids:
            continue
        extra = LEAD_NAME_COLUMNS if model is Lead else ()
        query = select(model.id, *columns, *extra).where(model.id.in_(ids))
        if model is not User:  # users are not a workspace's; their ids come from its log
            query = query.where(model.workspace_id == workspace_id)
        for found in session.execute(query):
            names[(kind, str(found.id))] = Ref(kind, str(found.id), naming(found) or "(unnamed)")
    undoable: set = set()
    merge_ids = _ids(wanted.get("merge", ()))
    if merge_ids:
        merges = session.execute(
            select(
                LeadMerge.id, LeadMerge.other_lead_id, LeadMerge.snapshot, LeadMerge.undone_at
            ).where(LeadMerge.workspace_id == workspace_id, LeadMerge.id.in_(merge_ids))
        )
        for merge_id, other_id, snapshot, undone_at in merges:
            if undone_at is None:
                undoable.add(str(merge_id))
            # The merged-away lead is gone; its snapshot still names it.
            label = name_shown(
                snapshot.get("full_name"),
                snapshot.get("first_name"),
                snapshot.get("last_name"),
                *(snapshot.get(f) for f in NAMED_BY),
            )
            names[("merge_snapshot", str(other_id))] = Ref("lead", str(other_id), label, False)
    return names, undoable
