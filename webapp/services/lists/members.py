"""Changing a static list's members, set-based: a few statements whatever the size.

Adding is INSERT … SELECT guarded by NOT EXISTS and ON CONFLICT DO NOTHING (a lead is
in a list once; adding it again is a no-op, also when two requests race). Each lead
that joins gets one timeline entry ("Added to list …"), written by INSERT … SELECT as
well; the rows one call added are those of this list stamped with its `added_at`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Select, delete, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity, LeadList, LeadListMember
from webapp.models.base import UTCDateTime, utcnow
from webapp.services.errors import NUL_REASON, NotFound, ValidationFailed, has_nul
from webapp.services.lists.membership import member_ids
from webapp.services.scoping import parse_uuid

NOTE_MAX = 2000
AUDITED_IDS = 1000  # an audit row names at most this many leads (and counts them all)


@dataclass(frozen=True)
class Change:
    """What one membership change did: how many leads, and (some of) which."""

    count: int
    lead_ids: list[uuid.UUID]


def _new_id(session: Session):
    """A fresh UUID made by the database, one per inserted row."""
    if session.get_bind().dialect.name == "postgresql":
        return func.gen_random_uuid()
    return func.lower(func.hex(func.randomblob(16)))  # sa.Uuid's 32-hex form on SQLite


def _insert(session: Session, table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _value(value, type_):
    return sa.null() if value is None else literal(value, type_)


def static_list(lead_list: LeadList, field: str = "list_id") -> LeadList:
    if lead_list.list_type != "static":
        raise ValidationFailed({field: "a dynamic list's members follow its criteria"})
    return lead_list


def refresh_count(session: Session, lead_list: LeadList) -> int:
    """Store the list's exact member count in lead_count (static lists)."""
    lead_list.lead_count = session.execute(
        select(func.count()).select_from(member_ids(lead_list).subquery())
    ).scalar_one()
    return lead_list.lead_count


def _record_timeline(
    session: Session,
    lead_list: LeadList,
    lead_ids: Select,
    description: str,
    user_id,
    now: datetime,
) -> None:
    """One "updated" activity per lead in `lead_ids`.

    A lead's last_activity_at stays: joining or leaving a list is no engagement with the
    lead, and updating 100,000 lead rows (and every index on them) would cost seconds.
    """
    data = {"list_id": str(lead_list.id)}
    session.execute(
        sa.insert(LeadActivity).from_select(
            [
                "id",
                "workspace_id",
                "lead_id",
                "activity_type",
                "description",
                "data",
                "performed_by_id",
                "created_at",
            ],
            select(
                _new_id(session),
                literal(lead_list.workspace_id, sa.Uuid),
                Lead.id,
                literal("updated", sa.String),
                literal(description, sa.Text),
                literal(data, sa.JSON),
                _value(user_id, sa.Uuid),
                literal(now, UTCDateTime),
            ).where(Lead.id.in_(lead_ids)),
        )
    )


def _some_ids(session: Session, lead_ids: Select) -> list[uuid.UUID]:
    return list(session.execute(lead_ids.limit(AUDITED_IDS)).scalars())


def add_members(session: Session, lead_list: LeadList, lead_ids, added_by_id=None) -> Change:
    """Add the workspace's leads among `lead_ids` (a select of ids, or ids) to a static list.

    Leads already in it, and ids of other workspaces' leads, are skipped. Keeps
    lead_count right. No commit.
    """
    static_list(lead_list)
    if not isinstance(lead_ids, Select):
        lead_ids = [i for i in (parse_uuid(v) for v in lead_ids) if i is not None]
        if not lead_ids:
            return Change(0, [])
    now = utcnow()
    already = exists().where(
        LeadListMember.lead_list_id == lead_list.id, LeadListMember.lead_id == Lead.id
    )
    candidates = select(
        _new_id(session),
        literal(lead_list.id, sa.Uuid),
        Lead.id,
        literal(now, UTCDateTime),
        _value(added_by_id, sa.Uuid),
    ).where(Lead.workspace_id == lead_list.workspace_id, Lead.id.in_(lead_ids), ~already)
    statement = (
        _insert(session, LeadListMember.__table__)
        .from_select(["id", "lead_list_id", "lead_id", "added_at", "added_by_id"], candidates)
        .on_conflict_do_nothing()
        # SQLAlchemy keeps an INSERT's row count only when asked (UPDATE's and DELETE's always).
        .execution_options(preserve_rowcount=True)
    )
    added = session.execute(statement).rowcount or 0
    if added:
        joined = select(LeadListMember.lead_id).where(
            LeadListMember.lead_list_id == lead_list.id, LeadListMember.added_at == now
        )
        name = lead_list.name
        _record_timeline(session, lead_list, joined, f"Added to list {name}", added_by_id, now)
        sample = _some_ids(session, joined)
    else:
        sample = []
    refresh_count(session, lead_list)
    return Change(added, sample)


def remove_members(session: Session, lead_list: LeadList, lead_ids, user_id=None) -> Change:  # noqa: ARG001
    """Take the leads among `lead_ids` out of a static list (the leads stay). No commit."""
    static_list(lead_list)
    if not isinstance(lead_ids, Select):
        lead_ids = [i for i in (parse_uuid(v) for v in lead_ids) if i is not None]
        if not lead_ids:
            return Change(0, [])
    leaving = select(LeadListMember.lead_id).where(
        LeadListMember.lead_list_id == lead_list.id, LeadListMember.lead_id.in_(lead_ids)
    )
    sample = _some_ids(session, leaving)
    if not sample:
        return Change(0, [])
    # No timeline entry for leaving (the audit row names who and how many): at 100,000
    # members the entries would cost many times the DELETE itself.
    removed = session.execute(
        delete(LeadListMember)
        .where(LeadListMember.lead_list_id == lead_list.id, LeadListMember.lead_id.in_(lead_ids))
        .execution_options(synchronize_session=False)
    ).rowcount
    refresh_count(session, lead_list)
    return Change(removed or 0, sample)


def copy_members(
    session: Session, source: LeadList, target: LeadList, lead_ids: Select, user_id=None
) -> Change:
    """Add `lead_ids` (members of `source`) to `target`; those already there are skipped."""
    if target.id == source.id:
        raise ValidationFailed({"target_id": "choose another list"})
    chosen = select(Lead.id).where(Lead.id.in_(lead_ids), Lead.id.in_(member_ids(source)))
    return add_members(session, target, chosen, user_id)


def move_members(
    session: Session, source: LeadList, target: LeadList, lead_ids: Select, user_id=None
) -> Change:
    """Copy to `target`, then take them out of `source` (a static list)."""
    static_list(source)
    if target.id == source.id:
        raise ValidationFailed({"target_id": "choose another list"})
    chosen = select(Lead.id).where(Lead.id.in_(lead_ids), Lead.id.in_(member_ids(source)))
    add_members(session, target, chosen, user_id)
    # The same selection again: copying changed neither the leads nor the source.
    return remove_members(session, source, chosen, user_id)


def set_member_note(
    session: Session, lead_list: LeadList, lead_id, note: str | None
) -> LeadListMember:
    """The note on one member of a static list (blank clears it)."""
    static_list(lead_list)
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise ValidationFailed({"note": f"must be at most {NOTE_MAX:,} characters"})
    if has_nul(note):
        raise ValidationFailed({"note": NUL_REASON})
    member = _member(session, lead_list, lead_id)
    member.notes = note
    return member


def _member(session: Session, lead_list: LeadList, lead_id) -> LeadListMember:
    wanted = parse_uuid(lead_id)
    member = (
        session.execute(
            select(LeadListMember).where(
                LeadListMember.lead_list_id == lead_list.id, LeadListMember.lead_id == wanted
            )
        ).scalar()
        if wanted
        else None
    )
    if member is None:
        raise NotFound("member")
    return member


def get_member(session: Session, lead_list: LeadList, lead_id) -> LeadListMember:
    return _member(session, lead_list, lead_id)
