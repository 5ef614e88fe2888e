"""Undoing a merge: the merged-away lead comes back with everything it brought."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.models import CampaignLead, Lead, LeadActivity, LeadListMember, Tag
from webapp.models.base import utcnow
from webapp.models.forms import SpamSubmission
from webapp.models.merges import LeadMerge
from webapp.services.audit import record_audit
from webapp.services.errors import Conflict, NotFound
from webapp.services.leads.merge import COLUMNS, dump_value, load_value
from webapp.services.leads.timeline import add_activity
from webapp.services.scoping import get_owned

# What a merge pointed from the other lead at the kept one (merge.merge_leads' _repoint),
# by the key it recorded the rows under: an undo points them back.
REPOINTED = {
    "activities": LeadActivity.lead_id,
    "merges": LeadMerge.kept_lead_id,
    "released_submissions": SpamSubmission.released_lead_id,
}


def undo_merge(
    session: Session,
    workspace_id: uuid.UUID,
    merge_id,
    performed_by_id: uuid.UUID | None,
    ip_address: str | None = None,
) -> Lead:
    """Bring the merged-away lead back with everything it brought; returns it.

    The kept lead may itself have been merged away since: its earlier merges moved with it
    (merge_leads carries them), and what this merge brought is taken back from wherever it went.
    Raises Conflict, before changing anything, when the lead cannot come back as it was.
    """
    merge = session.execute(
        select(LeadMerge).where(LeadMerge.id == merge_id, LeadMerge.workspace_id == workspace_id)
    ).scalar()
    if merge is None:
        raise NotFound("merge")
    if merge.undone_at is not None:
        raise Conflict("This merge was already undone.")
    kept = get_owned(session, Lead, workspace_id, merge.kept_lead_id)
    later = _later_merges(session, merge)
    _refuse_a_taken_email(session, merge, kept, later)
    _take_back_fields(kept, merge.filled, later)
    session.flush()
    other = Lead(**_restorable(session, Lead.__table__, _loaded(COLUMNS, merge.snapshot)))
    session.add(other)
    session.flush()
    _restore_children(session, kept, other, merge.moved, later)
    merge.undone_at, merge.undone_by_id = utcnow(), performed_by_id
    _record_the_undo(session, merge, kept, other, performed_by_id, ip_address)
    return other


def _later_merges(session: Session, merge: LeadMerge) -> list[LeadMerge]:
    """The merges, still in effect, that carried `merge` on from the lead that kept it to the
    one that holds it now, oldest first: what it brought may have travelled with them."""
    later = [
        m
        for m in session.execute(
            select(LeadMerge).where(
                LeadMerge.kept_lead_id == merge.kept_lead_id,
                LeadMerge.undone_at.is_(None),
                LeadMerge.id != merge.id,
            )
        ).scalars()
        if merge.id.hex in m.moved.get("merges", ())
    ]
    ids = {m.id.hex for m in later}
    # Each of them carried the ones before it: the oldest carried none of the others.
    return sorted(later, key=lambda m: len(ids.intersection(m.moved.get("merges", ()))))


def _filled_path(name: str, value, later: list[LeadMerge]) -> tuple[list[LeadMerge], bool]:
    """The later merges whose snapshot holds the value this merge filled in, and whether it
    went on to the lead that holds the merge now (each one filled it into its kept lead)."""
    holding = []
    for m in later:
        if m.snapshot.get(name) != value:  # edited before that merge: not what was filled
            return holding, False
        holding.append(m)
        if m.filled.get(name) != value:
            return holding, False
    return holding, True


def _gives_back(kept: Lead, name: str, filled: dict, later: list[LeadMerge]) -> bool:
    return (
        name in filled
        and _filled_path(name, filled[name], later)[1]
        and dump_value(getattr(kept, name)) == filled[name]
    )


def _refuse_a_taken_email(
    session: Session, merge: LeadMerge, kept: Lead, later: list[LeadMerge]
) -> None:
    """One lead per email in a workspace: the merged-away lead cannot come back while another
    one holds its email, unless it is the kept lead giving back the email it was filled with."""
    key = merge.snapshot.get("email_normalized")
    if key is None:
        return
    holder = session.execute(
        select(Lead).where(Lead.workspace_id == merge.workspace_id, Lead.email_normalized == key)
    ).scalar()
    if holder is None or (holder.id == kept.id and _gives_back(kept, "email", merge.filled, later)):
        return
    raise Conflict(
        f"Can't undo: {merge.snapshot['email']} now belongs to {holder.display_name}; "
        "merge or edit that lead first."
    )


def _take_back_fields(kept: Lead, filled: dict, later: list[LeadMerge]) -> None:
    for name, value in filled.items():
        holding, reached = _filled_path(name, value, later)
        cleared = {name: None, **({"email_normalized": None} if name == "email" else {})}
        for m in holding:  # undoing that merge later must not hand the value back to its lead
            m.snapshot = {**m.snapshot, **cleared}
            m.filled = {k: v for k, v in m.filled.items() if k != name}
        if reached and dump_value(getattr(kept, name)) == value:
            setattr(kept, name, None)
    if "email" in filled and kept.email is None:
        kept.email_normalized = None


def _loaded(columns: dict, row: dict) -> dict:
    return {name: load_value(columns[name], value) for name, value in row.items()}


def _restorable(session: Session, table: sa.Table, values: dict) -> dict | None:
    """`values` as the database would hold them had the row lived on: a reference to a row
    deleted since is nulled (ON DELETE SET NULL), or None when it would have taken this row
    with it (CASCADE)."""
    values = dict(values)
    for fk in table.foreign_keys:
        name, target = fk.parent.name, fk.column
        if values.get(name) is None:
            continue
        if session.execute(select(target).where(target == values[name])).first() is None:
            if fk.ondelete == "CASCADE":
                return None
            values[name] = None
    return values


def _follow_rows(
    later: list[LeadMerge], hexes, key: str, dropped_key: str | None = None
) -> tuple[list[str], list[dict]]:
    """Follow rows a merge moved through the later merges that moved them on, taking them out
    of those merges' records (their undo must not hand them to the lead in between).

    Returns the rows that reached the lead holding the merge now, and the snapshots of those
    a later merge dropped because its kept lead had their list or campaign already.
    """
    reached, dropped = [], []
    for row_hex in hexes:
        for m in later:
            moved = m.moved
            if row_hex in moved.get(key, ()):
                m.moved = {**moved, key: [h for h in moved[key] if h != row_hex]}
                continue
            rows = moved.get(dropped_key, []) if dropped_key else []
            row = next((r for r in rows if uuid.UUID(r["id"]).hex == row_hex), None)
            if row is not None:
                m.moved = {**moved, dropped_key: [r for r in rows if r is not row]}
                dropped.append(row)
            break  # dropped, or gone from the lead before that merge
        else:
            reached.append(row_hex)
    return reached, dropped


def _follow_tags(later: list[LeadMerge], added) -> list[str]:
    """Like `_follow_rows`, for the tags a merge added to its kept lead."""
    reached = []
    for tag_hex in added:
        for m in later:
            moved = m.moved
            if tag_hex not in moved["tags"]:
                break
            m.moved = {
                **moved,
                "tags": [t for t in moved["tags"] if t != tag_hex],
                "tags_added": [t for t in moved["tags_added"] if t != tag_hex],
            }
            if tag_hex not in moved["tags_added"]:
                break
        else:
            reached.append(tag_hex)
    return reached


def _ids(hexes) -> list[uuid.UUID]:
    return [uuid.UUID(h) for h in hexes]


def _restore_children(
    session: Session, kept: Lead, other: Lead, moved: dict, later: list[LeadMerge]
) -> None:
    for key, column in REPOINTED.items():
        ids, _ = _follow_rows(later, moved.get(key, []), key)
        model = column.class_
        session.execute(
            update(model)
            .where(model.id.in_(_ids(ids)), column == kept.id)
            .values({column.key: other.id})
        )
    added = set(_follow_tags(later, moved["tags_added"]))
    kept.tags[:] = [t for t in kept.tags if t.id.hex not in added]
    other.tags.extend(session.execute(select(Tag).where(Tag.id.in_(_ids(moved["tags"])))).scalars())
    members, dropped = _follow_rows(later, moved["list_members"], "list_members", "lists_dropped")
    session.execute(
        update(LeadListMember)
        .where(LeadListMember.id.in_(_ids(members)), LeadListMember.lead_id == kept.id)
        .values(lead_id=other.id)
    )
    _add_rows(session, LeadListMember, other, [*moved["lists_dropped"], *dropped])
    rows, dropped = _follow_rows(
        later, moved["campaign_leads"], "campaign_leads", "campaign_rows_dropped"
    )
    session.execute(
        update(CampaignLead)
        .where(CampaignLead.id.in_(_ids(rows)), CampaignLead.lead_id == kept.id)
        .values(lead_id=other.id)
    )
    _add_rows(session, CampaignLead, other, [*moved["campaign_rows_dropped"], *dropped])
    session.flush()


def _add_rows(session: Session, model, other: Lead, rows: list[dict]) -> None:
    """Recreate dropped list or campaign rows for `other`, as snapshotted."""
    columns = {c.name: c for c in model.__table__.columns}
    for row in rows:
        values = _restorable(
            session, model.__table__, {**_loaded(columns, row), "lead_id": other.id}
        )
        if values is not None:
            session.add(model(**values))


def _record_the_undo(
    session: Session,
    merge: LeadMerge,
    kept: Lead,
    other: Lead,
    performed_by_id: uuid.UUID | None,
    ip_address: str | None,
) -> None:
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
        merge.workspace_id,
        performed_by_id,
        "leads.merge_undone",
        "lead",
        other.id,
        {"merge_id": str(merge.id), "kept_lead_id": str(kept.id)},
        ip_address,
    )
