"""Merging two leads into one; nothing is lost (merge_undo.py brings the other back)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.models import CampaignLead, CampaignLeadAttempt, Lead, LeadActivity, LeadListMember
from webapp.models.base import UTCDateTime
from webapp.models.forms import SpamSubmission
from webapp.models.merges import LeadMerge
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.leads.timeline import add_activity
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


def dump_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def load_value(column, value):
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
    return {name: dump_value(getattr(row, name)) for name in columns}


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
        "merges": [],
        "released_submissions": [],
    }
    moved["activities"] = _repoint(session, LeadActivity.lead_id, kept, other)
    for tag in list(other.tags):
        if tag not in kept.tags:
            kept.tags.append(tag)
            moved["tags_added"].append(tag.id.hex)
    _move_list_members(session, kept, other, moved)
    _move_campaign_rows(session, kept, other, moved)
    # Earlier merges into `other`, and held submissions released into it, follow it: its
    # delete would take those merge records (and so their undo) with it, and unlink those.
    moved["merges"] = _repoint(session, LeadMerge.kept_lead_id, kept, other)
    moved["released_submissions"] = _repoint(session, SpamSubmission.released_lead_id, kept, other)
    session.delete(other)
    session.flush()
    filled = {}
    for name in COLUMNS:
        if name in NOT_FILLED or snapshot[name] in (None, ""):
            continue
        if getattr(kept, name) in (None, ""):
            setattr(kept, name, load_value(COLUMNS[name], snapshot[name]))
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
            # Both were in the campaign: the kept row stays, the other is remembered whole;
            # its call attempts join the kept row's history rather than go with it.
            moved["campaign_rows_dropped"].append(_row_snapshot(row, CAMPAIGN_COLUMNS))
            session.execute(
                update(CampaignLeadAttempt)
                .where(CampaignLeadAttempt.campaign_lead_id == row.id)
                .values(campaign_lead_id=kept_rows[row.campaign_id].id)
            )
            session.delete(row)
        else:
            row.lead_id = kept.id
            moved["campaign_leads"].append(row.id.hex)
    session.flush()


def _repoint(session: Session, column, kept: Lead, other: Lead) -> list[str]:
    """Rows whose `column` (a model's lead reference) names `other` name `kept` instead;
    returns their ids, as the merge records them."""
    model = column.class_
    ids = session.execute(select(model.id).where(column == other.id)).scalars().all()
    session.execute(update(model).where(model.id.in_(ids)).values({column.key: kept.id}))
    return [row_id.hex for row_id in ids]
