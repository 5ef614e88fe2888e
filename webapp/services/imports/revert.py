"""Reverting an import: its leads go, its changes go back, its list memberships go.

Read from the change records the import wrote. A field the import changed gets its
old value back only if it still holds the value the import wrote; a field someone
changed since keeps their value. Leads it created are deleted (with their timeline),
unless they were worked on since (a form, a note, a status, a campaign…): those stay;
each lead it changed gets one "updated" activity saying what was restored and kept.
Run in batches by the `imports.revert` job; each batch commits on its own, and a
retry carries on with the change records that are left.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.models import ImportChange, Lead, LeadImport, LeadList, LeadListMember
from webapp.models.base import utcnow
from webapp.models.leads import lead_tags
from webapp.services.errors import Conflict
from webapp.services.imports.batch import _comparable, jsonable
from webapp.services.leads.timeline import add_activity

REVERT_BATCH = 1000
CHANGES = ImportChange.__table__


def may_revert(imp: LeadImport, user_id, is_admin: bool) -> bool:
    return is_admin or imp.created_by_id == user_id


def check_revertible(imp: LeadImport) -> None:
    if imp.reverted_at is not None:
        raise Conflict("This import was reverted already.")
    if imp.job_run_id is None:
        raise Conflict("This import has not run.")
    if imp.finished_at is None and imp.status in ("queued", "running"):
        raise Conflict("This import is still running; cancel it or wait until it ends.")


def revert_batch(session: Session, imp: LeadImport, user_id) -> dict[str, int]:
    """Undo up to REVERT_BATCH of the import's lead changes; {} when none are left."""
    changes = list(
        session.execute(
            sa.select(ImportChange)
            .where(ImportChange.import_id == imp.id)
            .order_by(ImportChange.id)
            .limit(REVERT_BATCH)
        ).scalars()
    )
    if not changes:
        return {}
    counts = {"deleted": 0, "restored": 0, "kept": 0, "unlisted": 0, "kept_worked": 0}
    created = [c.lead_id for c in changes if c.kind == "created"]
    worked = _worked_on_since(session, created)
    for lead in session.execute(
        sa.select(Lead).where(Lead.id.in_(worked), Lead.workspace_id == imp.workspace_id)
    ).scalars():
        counts["kept_worked"] += 1
        description = (
            f"Import of {imp.file_name} reverted; this lead was kept: it was worked on since"
        )
        data = {"import_id": str(imp.id), "kept_lead": True}
        add_activity(session, lead, "updated", description, user_id, data)
    created = [lead_id for lead_id in created if lead_id not in worked]
    if created:
        counts["deleted"] = session.execute(
            sa.delete(Lead.__table__).where(
                Lead.id.in_(created), Lead.workspace_id == imp.workspace_id
            )
        ).rowcount
    updated = [c for c in changes if c.kind == "updated"]
    leads = {
        lead.id: lead
        for lead in session.execute(
            sa.select(Lead).where(
                Lead.id.in_([c.lead_id for c in updated]), Lead.workspace_id == imp.workspace_id
            )
        ).scalars()
    }
    for change in updated:
        lead = leads.get(change.lead_id)
        if lead is not None:
            _revert_lead(session, imp, lead, change, user_id, counts)
    session.execute(sa.delete(CHANGES).where(CHANGES.c.id.in_([c.id for c in changes])))
    return counts


def _worked_on_since(session: Session, lead_ids: list) -> set:
    """Leads the import created that have a life of their own since: a form submission, a
    note, a status change, a call, a campaign… Deleting them would lose that work."""
    if not lead_ids:
        return set()
    from webapp.models import CampaignLead, CampaignLeadAttempt, LeadActivity

    worked = set()
    rows = session.execute(
        sa.select(LeadActivity.lead_id, LeadActivity.activity_type, LeadActivity.data).where(
            LeadActivity.lead_id.in_(lead_ids), LeadActivity.activity_type != "imported"
        )
    )
    for lead_id, kind, data in rows:
        joined_a_list = kind == "updated" and isinstance(data, dict) and "list_id" in data
        if not joined_a_list:
            worked.add(lead_id)
    # A campaign row is work once someone touched it: an attempt, an outcome, a lock. A row
    # still waiting untouched is only the import's own doing (a campaign upload queues every
    # lead it creates) and goes with the lead.
    touched = (
        (CampaignLead.attempts > 0)
        | CampaignLead.status.not_in(("new", "queued"))
        | CampaignLead.locked_by_id.is_not(None)
        | CampaignLead.outcome.is_not(None)
        | CampaignLead.pledged_amount.is_not(None)
        | CampaignLead.donated_amount.is_not(None)
        | sa.exists().where(CampaignLeadAttempt.campaign_lead_id == CampaignLead.id)
    )
    worked |= set(
        session.execute(
            sa.select(CampaignLead.lead_id).where(CampaignLead.lead_id.in_(lead_ids), touched)
        ).scalars()
    )
    return worked


def _revert_lead(session, imp, lead, change, user_id, counts) -> None:
    restored, kept = [], []
    for name, old in (change.old_values or {}).items():
        wrote = (change.new_values or {}).get(name)
        if _comparable(jsonable(getattr(lead, name))) == _comparable(wrote):
            setattr(lead, name, _typed(name, old))
            restored.append(name)
        else:
            kept.append(name)
    unlisted = False
    if change.membership_added and imp.lead_list_id:
        unlisted = bool(
            session.execute(
                sa.delete(LeadListMember.__table__).where(
                    LeadListMember.lead_list_id == imp.lead_list_id,
                    LeadListMember.lead_id == lead.id,
                )
            ).rowcount
        )
    if change.tags_added:
        session.execute(
            sa.delete(lead_tags).where(
                lead_tags.c.lead_id == lead.id,
                lead_tags.c.tag_id.in_([uuid.UUID(t) for t in change.tags_added]),
            )
        )
    counts["restored"] += len(restored)
    counts["kept"] += len(kept)
    counts["unlisted"] += int(unlisted)
    parts = [f"Import of {imp.file_name} reverted"]
    if restored:
        parts.append("restored " + ", ".join(n.replace("_", " ") for n in restored))
    if kept:
        parts.append("kept " + ", ".join(n.replace("_", " ") for n in kept) + " (changed since)")
    if unlisted:
        parts.append("removed from the list")
    data = {"import_id": str(imp.id), "restored": restored, "kept": kept}
    add_activity(session, lead, "updated", "; ".join(parts), user_id, data)


def _typed(name: str, value):
    if value is None:
        return None
    column = Lead.__table__.c[name]
    if isinstance(column.type, sa.Numeric):
        return Decimal(value)
    if isinstance(column.type, sa.Uuid):
        return uuid.UUID(value)
    return value


def finish_revert(session: Session, imp: LeadImport) -> None:
    imp.reverted_at = utcnow()
    if imp.lead_list_id:
        lead_list = session.get(LeadList, imp.lead_list_id)
        if lead_list is not None:
            lead_list.lead_count = session.execute(
                sa.select(sa.func.count())
                .select_from(LeadListMember)
                .where(LeadListMember.lead_list_id == lead_list.id)
            ).scalar_one()
    if imp.campaign_id:
        # The campaign's leads from the list went with the deleted leads: its counts follow.
        from webapp.models import Campaign
        from webapp.services.campaigns.assignment import recount

        campaign = session.get(Campaign, imp.campaign_id)
        if campaign is not None:
            recount(session, campaign)
