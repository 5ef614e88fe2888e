"""A campaign's queue: the leads waiting for a call, and handing the next one to a rep.

The queue is the campaign's leads whose status is waiting (new, queued, calling) on an
active list, ordered by list priority, then next attempt time. The index
ix_campaign_leads_queue (campaign_id, status, list_priority, next_attempt_at, id) holds
that order per status; reading the first rows of each status and merging them costs the
same at any queue size.

"Work next lead" claims one lead with a single conditional UPDATE: it succeeds only while
the lead's lock is free or expired, so two reps never get the same person at once. On
PostgreSQL the row is picked FOR UPDATE SKIP LOCKED, so a rep does not wait for another
rep's claim in flight; on SQLite writers take turns anyway.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select, union_all, update
from sqlalchemy.orm import Session

from webapp.models import Campaign, CampaignLead, CampaignLeadList, Lead, LeadList, User
from webapp.models.base import utcnow
from webapp.models.campaigns import QUEUE_STATUSES
from webapp.services.errors import NotFound

QUEUE_ORDER = (CampaignLead.list_priority, CampaignLead.next_attempt_at, CampaignLead.id)
CANDIDATES = 16  # first rows of each status considered per claim round
# The page counts the queue up to this many (as My Leads caps its count): past it the
# page says "more than", and its cost no longer grows with the queue.
COUNT_CAP = 10_000


@dataclass
class QueuePage:
    rows: list
    total: int
    page: int
    per_page: int
    capped: bool = False  # more than `total` are waiting (not counted further)

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def last_page(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


def inactive_list_ids(session: Session, campaign: Campaign) -> list[uuid.UUID]:
    return list(
        session.execute(
            select(CampaignLeadList.lead_list_id).where(
                CampaignLeadList.campaign_id == campaign.id, CampaignLeadList.is_active.is_(False)
            )
        ).scalars()
    )


def _on_active_lists(inactive: list[uuid.UUID]) -> list:
    if not inactive:
        return []
    return [or_(CampaignLead.lead_list_id.is_(None), CampaignLead.lead_list_id.not_in(inactive))]


def _first_of_each_status(campaign: Campaign, inactive, limit: int, *more) -> Select:
    """The first `limit` waiting rows of each status, merged: (id, priority, next, id)."""
    branches = []
    for status in QUEUE_STATUSES:
        branch = (
            select(CampaignLead.id, CampaignLead.list_priority, CampaignLead.next_attempt_at)
            .where(
                CampaignLead.campaign_id == campaign.id,
                CampaignLead.status == status,
                *_on_active_lists(inactive),
                *more,
            )
            .order_by(*QUEUE_ORDER)
            .limit(limit)
            .subquery()
        )
        branches.append(select(branch))
    return union_all(*branches).subquery("waiting")


def queue_size(session: Session, campaign: Campaign, cap: int | None = None) -> int:
    """How many leads wait in the queue; with `cap`, counted up to cap + 1 at most."""
    waiting = select(CampaignLead.id).where(
        CampaignLead.campaign_id == campaign.id,
        CampaignLead.status.in_(QUEUE_STATUSES),
        *_on_active_lists(inactive_list_ids(session, campaign)),
    )
    if cap is not None:
        waiting = waiting.limit(cap + 1)
    return session.execute(select(func.count()).select_from(waiting.subquery())).scalar_one()


def queue_page(session: Session, campaign: Campaign, page=1, per_page: int = 25) -> QueuePage:
    """One page of the queue, with each row's lead, list and lock holder."""
    try:
        page = max(int(page), 1)
    except (TypeError, ValueError):
        page = 1
    inactive = inactive_list_ids(session, campaign)
    total = queue_size(session, campaign, COUNT_CAP)
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    page = min(page, max(1, (total + per_page - 1) // per_page))
    waiting = _first_of_each_status(campaign, inactive, page * per_page)
    ids = (
        select(waiting.c.id)
        .order_by(waiting.c.list_priority, waiting.c.next_attempt_at, waiting.c.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .subquery()
    )
    rows = session.execute(
        select(CampaignLead, Lead, LeadList.name.label("list_name"), User)
        .join(ids, ids.c.id == CampaignLead.id)
        .join(Lead, Lead.id == CampaignLead.lead_id)
        .outerjoin(LeadList, LeadList.id == CampaignLead.lead_list_id)
        .outerjoin(User, User.id == CampaignLead.locked_by_id)
        .order_by(*QUEUE_ORDER)
    ).all()
    return QueuePage(rows, total, page, per_page, capped)


def _lock_free(now: datetime):
    return or_(CampaignLead.locked_until.is_(None), CampaignLead.locked_until < now)


def held_lead(session: Session, campaign: Campaign, user_id: uuid.UUID) -> CampaignLead | None:
    """The lead this rep holds in this campaign now, if any."""
    return session.execute(
        select(CampaignLead)
        .where(
            CampaignLead.campaign_id == campaign.id,
            CampaignLead.locked_by_id == user_id,
            CampaignLead.locked_until >= utcnow(),
            CampaignLead.status.in_(QUEUE_STATUSES),
        )
        .limit(1)
    ).scalar()


def claim_next(
    session: Session, campaign: Campaign, user_id: uuid.UUID, lock_minutes: int = 15
) -> CampaignLead | None:
    """Lock the next due lead of the queue to this rep; None when nothing is due.

    A rep who already holds a lead of this campaign gets that one back (lock renewed).
    """
    now = utcnow()
    until = now + timedelta(minutes=lock_minutes)
    held = held_lead(session, campaign, user_id)
    if held is not None:
        held.locked_until = until
        session.flush()
        return held
    inactive = inactive_list_ids(session, campaign)
    due = or_(CampaignLead.next_attempt_at.is_(None), CampaignLead.next_attempt_at <= now)
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    for limit in (CANDIDATES, CANDIDATES * 8, CANDIDATES * 64):
        waiting = _first_of_each_status(campaign, inactive, limit, due, _lock_free(now))
        candidates = list(session.execute(select(waiting.c.id)).scalars())
        if not candidates:
            return None
        pick = (
            select(CampaignLead.id)
            .where(CampaignLead.id.in_(candidates), _lock_free(now))
            .order_by(*QUEUE_ORDER)
            .limit(1)
        )
        if on_postgresql:
            pick = pick.with_for_update(skip_locked=True)
        claimed = session.execute(
            update(CampaignLead)
            .where(
                CampaignLead.id == pick.scalar_subquery(),
                CampaignLead.status.in_(QUEUE_STATUSES),
                _lock_free(now),
            )
            .values(locked_by_id=user_id, locked_until=until, status="calling", updated_at=now)
            .returning(CampaignLead.id)
            .execution_options(synchronize_session=False)
        ).scalar()
        if claimed is not None:
            return session.get(CampaignLead, claimed, populate_existing=True)
        if len(candidates) < limit:  # every branch was read to its end: all taken meanwhile
            return None
    return None  # every candidate this far down was taken meanwhile


def release(session: Session, campaign_lead: CampaignLead, user_id: uuid.UUID) -> bool:
    """Give the lead back to the queue (only its holder can); True if it was held."""
    if campaign_lead.locked_by_id != user_id:
        return False
    campaign_lead.locked_by_id = None
    campaign_lead.locked_until = None
    if campaign_lead.status == "calling":
        campaign_lead.status = "queued" if campaign_lead.attempts else "new"
    session.flush()
    return True


def get_campaign_lead(session: Session, campaign: Campaign, campaign_lead_id) -> CampaignLead:
    from webapp.services.scoping import parse_uuid

    wanted = parse_uuid(campaign_lead_id)
    found = (
        session.execute(
            select(CampaignLead).where(
                CampaignLead.id == wanted, CampaignLead.campaign_id == campaign.id
            )
        ).scalar()
        if wanted
        else None
    )
    if found is None:
        raise NotFound("campaign lead")
    return found
