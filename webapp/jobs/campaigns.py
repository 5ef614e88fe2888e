"""Campaign re-sync: new members of the assigned lists join the campaign's queue."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.models import Campaign
from webapp.services.campaigns.assignment import resync_campaign
from webapp.services.campaigns.campaigns import RESYNCED_STATUSES

RESYNC = "campaigns.resync"
RESYNC_ALL = "campaigns.resync_all"


@job(RESYNC, label="Campaign re-sync")
def resync(run, campaign_id: str) -> int:
    campaign = db.session.get(Campaign, uuid.UUID(campaign_id))
    if campaign is None:
        run.tell("The campaign no longer exists.")
        return 0
    added = resync_campaign(db.session, campaign)
    db.session.commit()
    run.count(added=added)
    run.tell(f"{added} new lead{'' if added == 1 else 's'} joined the campaign.")
    return added


@job(RESYNC_ALL, label="Nightly campaign re-sync")
def resync_all(run) -> int:
    """Every campaign still being worked, one commit each."""
    ids = list(
        db.session.execute(
            select(Campaign.id).where(
                Campaign.is_archived.is_(False), Campaign.status.in_(RESYNCED_STATUSES)
            )
        ).scalars()
    )
    db.session.commit()
    added = 0
    for done, campaign_id in enumerate(ids, start=1):
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is not None:
            added += resync_campaign(db.session, campaign)
            db.session.commit()
        run.progress(done, len(ids))
        if run.cancelled():
            break
    run.count(campaigns=len(ids), added=added)
    run.tell(f"{len(ids)} campaign(s) re-synced; {added} new lead(s) joined.")
    return added
