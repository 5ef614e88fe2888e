"""Merging two leads into one, and undoing it: nothing is lost either way."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.models import CampaignLead, Lead, LeadActivity, LeadListMember, Tag
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.merges import LeadMerge
from webapp.services.audit import record_audit
from webapp.services.errors import Conflict, NotFound, ValidationFailed
from webapp.services.leads import add_activity
from webapp.services.normalize import normalize_email_key
from webapp.services.scoping import get_owned

NOT_FILLED = {
    "id",
    "workspace_id",
    "email_normalized",
    "created_at",
    "updated_at",
    "status",
    "priority",
    "lead_score",
    "intent",
    "source",
    "type",
    "uploaded",
    "closed_at",
    "converted_at",
    "converted_contact_id",
    "converted_account_id",
    "last_activity_at",
}
COLUMNS = {c.name: c for c in Lead.__table__.columns}
CAMPAIGN_COLUMNS = {c.name: c for c in CampaignLead.__table__.columns}


def _dump(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def _load(column, value):
    if value is None:
        return None
    if isinstance(column.type, sa.Uuid):
        return uuid.UUID(value)
    if isinstance(column.type, sa.Numeric) and not isinstance(column.type, sa.Float):
        return Decimal(value)
    if isinstance(value, str) and isinstance(column.type, sa.DateTime | UTCDateTime):
        return datetime.fromisoformat(value)
    return value


def _row_snapshot(row, columns) -> dict:
    return {name: _dump(getattr(row, name)) for name in columns}


def _lead(session: Session, workspace_id, lead_id) -> Lead:
    return get_owned(session, Lead, workspace_id, lead_id)


def merge_leads(
    session: Session,
    workspace_id: uuid.UUID,
    keep_id,
    other_id,
    performed_by_id: uuid.UUID | None,
    ip_address: str | None = None,
) -> LeadMerge:
    """Keep `keep_id`; move everything of `other_id` onto it, then delete `other_id`."""
    if str(keep_id) == str(other_id):
        raise ValidationFailed({"other_id": "a lead cannot be merged into itself"})
    kept, other = _lead(session, workspace_id, keep_id), _lead(session, workspace_id, other_id)
    snapshot = _row_snapshot(other, COLUMNS)
    moved = {
        "activities": [],
        "tags": [t.id.hex for t in other.tags],
        "tags_added": [],
        "list_members": [],
        "lists_dropped": [],
        "campaign_leads": [],
        "campaign_rows_dropped": [],
    }
    moved["activities"] = [
        a.hex
        for a in session.execute(
            select(LeadActivity.id).where(LeadActivity.lead_id == other.id)
        ).scalars()
    ]
    session.execute(
        update(LeadActivity).where(LeadActivity.lead_id == other.id).values(lead_id=kept.id)
    )
    for tag in list(other.tags):
        if tag not in kept.tags:
            kept.tags.append(tag)
            moved["tags_added"].append(tag.id.hex)
    _move_list_members(session, kept, other, moved)
    _move_campaign_rows(session, kept, other, moved)
    session.delete(other)
    session.flush()
    filled = {}
    for name in COLUMNS:
        if name in NOT_FILLED or snapshot[name] in (None, ""):
            continue
        if getattr(kept, name) in (None, ""):
            setattr(kept, name, _load(COLUMNS[name], snapshot[name]))
            filled[name] = snapshot[name]
    if "email" in filled:
        kept.email_normalized = normalize_email_key(kept.email)
    merge = LeadMerge(
        workspace_id=workspace_id,
        kept_lead_id=kept.id,
        other_lead_id=other.id,
        snapshot=snapshot,
        moved=moved,
        filled=filled,
        merged_by_id=performed_by_id,
    )
    session.add(merge)
    session.flush()
    name = snapshot.get("full_name") or snapshot.get("email") or snapshot.get("company_name")
    add_activity(
        session,
        kept,
        "merged",
        f"Merged {name} into this lead",
        performed_by_id,
        {"merge_id": str(merge.id), "other_lead_id": str(other.id), "filled": sorted(filled)},
    )
    record_audit(
        session,
        workspace_id,
        performed_by_id,
        "leads.merged",
        "lead",
        kept.id,
        {"merge_id": str(merge.id), "other_lead_id": str(other.id)},
        ip_address,
    )
    return merge


def _move_list_members(session: Session, kept: Lead, other: Lead, moved: dict) -> None:
    kept_lists = set(
        session.execute(
            select(LeadListMember.lead_list_id).where(LeadListMember.lead_id == kept.id)
        ).scalars()
    )
    for member in (
        session.execute(select(LeadListMember).where(LeadListMember.lead_id == other.id))
        .scalars()
        .all()
    ):
        if member.lead_list_id in kept_lists:
            moved["lists_dropped"].append(
                _row_snapshot(member, ("id", "lead_list_id", "added_at", "added_by_id", "notes"))
            )
            session.delete(member)
        else:
            member.lead_id = kept.id
            moved["list_members"].append(member.id.hex)
    session.flush()


def _move_campaign_rows(session: Session, kept: Lead, other: Lead, moved: dict) -> None:
    kept_rows = {
        row.campaign_id: row
        for row in session.execute(
            select(CampaignLead).where(CampaignLead.lead_id == kept.id)
        ).scalars()
    }
    for row in (
        session.execute(select(CampaignLead).where(CampaignLead.lead_id == other.id))
        .scalars()
        .all()
    ):
        if row.campaign_id in kept_rows:
            # Both were in the campaign: the kept row stays, the other is remembered whole.
            moved["campaign_rows_dropped"].append(_row_snapshot(row, CAMPAIGN_COLUMNS))
            session.delete(row)
        else:
            row.lead_id = kept.id
            moved["campaign_leads"].append(row.id.hex)
    session.flush()


def undo_merge(
    session: Session,
    workspace_id: uuid.UUID,
    merge_id,
    performed_by_id: uuid.UUID | None,
    ip_address: str | None = None,
) -> Lead:
    """Bring the merged-away lead back with everything it brought; returns it."""
    merge = session.execute(
        select(LeadMerge).where(LeadMerge.id == merge_id, LeadMerge.workspace_id == workspace_id)
    ).scalar()
    if merge is None:
        raise NotFound("merge")
    if merge.undone_at is not None:
        raise Conflict("this merge was already undone")
    kept = _lead(session, workspace_id, merge.kept_lead_id)
    for name, value in merge.filled.items():
        if _dump(getattr(kept, name)) == value:
            setattr(kept, name, None)
    if "email" in merge.filled and kept.email is None:
        kept.email_normalized = None
    session.flush()
    other = Lead(**{n: _load(COLUMNS[n], v) for n, v in merge.snapshot.items()})
    session.add(other)
    session.flush()
    _restore_children(session, kept, other, merge.moved)
    merge.undone_at, merge.undone_by_id = utcnow(), performed_by_id
    for activity in session.execute(
        select(LeadActivity).where(
            LeadActivity.lead_id == kept.id, LeadActivity.activity_type == "merged"
        )
    ).scalars():
        if (activity.data or {}).get("merge_id") == str(merge.id):
            activity.data = {**activity.data, "undone": True}
    add_activity(
        session,
        kept,
        "updated",
        f"Merge undone: {other.display_name} is separate again",
        performed_by_id,
        {"merge_id": str(merge.id)},
    )
    add_activity(
        session,
        other,
        "updated",
        "Restored by undoing a merge",
        performed_by_id,
        {"merge_id": str(merge.id)},
    )
    record_audit(
        session,
        workspace_id,
        performed_by_id,
        "leads.merge_undone",
        "lead",
        other.id,
        {"merge_id": str(merge.id), "kept_lead_id": str(kept.id)},
        ip_address,
    )
    return other


def _ids(hexes) -> list[uuid.UUID]:
    return [uuid.UUID(h) for h in hexes]


def _restore_children(session: Session, kept: Lead, other: Lead, moved: dict) -> None:
    session.execute(
        update(LeadActivity)
        .where(LeadActivity.id.in_(_ids(moved["activities"])), LeadActivity.lead_id == kept.id)
        .values(lead_id=other.id)
    )
    added = set(moved["tags_added"])
    kept.tags[:] = [t for t in kept.tags if t.id.hex not in added]
    other.tags.extend(session.execute(select(Tag).where(Tag.id.in_(_ids(moved["tags"])))).scalars())
    session.execute(
        update(LeadListMember)
        .where(
            LeadListMember.id.in_(_ids(moved["list_members"])), LeadListMember.lead_id == kept.id
        )
        .values(lead_id=other.id)
    )
    for row in moved["lists_dropped"]:
        session.add(
            LeadListMember(
                lead_id=other.id,
                **{k: _load(LeadListMember.__table__.columns[k], v) for k, v in row.items()},
            )
        )
    session.execute(
        update(CampaignLead)
        .where(CampaignLead.id.in_(_ids(moved["campaign_leads"])), CampaignLead.lead_id == kept.id)
        .values(lead_id=other.id)
    )
    for row in moved["campaign_rows_dropped"]:
        session.add(CampaignLead(**{k: _load(CAMPAIGN_COLUMNS[k], v) for k, v in row.items()}))
    session.flush()
