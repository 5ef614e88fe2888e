"""Assigning lead lists to a campaign: seed 003's add_lead_list_to_campaign, set-based.

A campaign lead is a lead once per campaign, remembering the list it came from. When a
lead is in several assigned lists it sits under the one of highest priority (1 is
first); a lead nobody has worked yet moves when priorities change or a higher-priority
list joins later. Each list's counters (total, contacted, successful) are recounted
after every change made here. Nothing here commits: the caller does.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, case, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from webapp.models import Campaign, CampaignLead, CampaignLeadList, LeadList, Workspace
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.campaigns import QUEUE_STATUSES
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.leads.filters import LeadFilter, filter_conditions
from webapp.services.lists.membership import member_ids

CONTACTED_STATUSES = ("contacted", "converted")
SUCCESS_STATUS = "converted"
MAX_ATTEMPTS_LIMIT = 1000


def assign_list(
    session: Session,
    campaign: Campaign,
    lead_list: LeadList,
    *,
    priority: int | None = None,
    max_attempts_override: int | None = None,
    filter_criteria: dict | None = None,
    is_active: bool = True,
    user_id: uuid.UUID | None = None,
) -> CampaignLeadList:
    """Link `lead_list` to `campaign` and fill the campaign's leads from its members.

    `priority` None puts the list after the last; a taken priority pushes the lists from
    there on down one. Assigning a list already assigned changes its priority (when
    given) and adds its new members. `filter_criteria` is a My Leads filter
    (LeadFilter.criteria()) that narrows the list for this campaign.
    """
    if lead_list.workspace_id != campaign.workspace_id:
        raise NotFound("list")
    criteria = clean_criteria(filter_criteria)
    override = clean_max_attempts(max_attempts_override, "max_attempts_override")
    _lock(session, campaign)
    links = campaign_links(session, campaign)
    before = [(x, x.priority) for x in links]
    link = next((x for x in links if x.lead_list_id == lead_list.id), None)
    if link is None:
        link = CampaignLeadList(
            campaign_id=campaign.id,
            lead_list_id=lead_list.id,
            priority=len(links) + 1,
            max_attempts_override=override,
            filter_criteria=criteria,
            is_active=bool(is_active),
            assigned_at=utcnow(),
            total_leads=0,
            contacted_leads=0,
            successful_leads=0,
        )
        session.add(link)
        links.append(link)
    if priority is not None:
        _place(links, link, _clean_priority(priority))
    session.flush()
    _fill(session, campaign, link, lead_list, _timezone(session, campaign))
    if any(x.priority != old for x, old in before):
        _settle(session, campaign, links)  # priorities moved: leads may change lists
    else:
        recount(session, campaign, links)  # appended last: its new leads were all there is
    return link


def resync_campaign(session: Session, campaign: Campaign) -> int:
    """Add the lists' new members (dynamic lists change by themselves); returns how many."""
    _lock(session, campaign)
    timezone = _timezone(session, campaign)
    links = campaign_links(session, campaign)
    lists = _lists_of(session, links)
    added = 0
    for link in links:  # highest priority first: a lead in two lists joins under the first
        added += _fill(session, campaign, link, lists[link.lead_list_id], timezone)
    _settle(session, campaign, links)
    return added


def update_assignment(
    session: Session,
    campaign: Campaign,
    link: CampaignLeadList,
    *,
    max_attempts_override: int | None,
    filter_criteria: dict | None,
    is_active: bool,
) -> CampaignLeadList:
    """Change a list's settings in the campaign; leads not worked yet follow a new filter."""
    criteria = clean_criteria(filter_criteria)
    _lock(session, campaign)
    link.max_attempts_override = clean_max_attempts(max_attempts_override, "max_attempts_override")
    link.is_active = bool(is_active)
    if criteria != (link.filter_criteria or None):
        link.filter_criteria = criteria
        session.flush()
        lead_list = session.get(LeadList, link.lead_list_id)
        matching = _matching_ids(link, lead_list, _timezone(session, campaign))
        _delete_unworked(session, campaign, link, ~CampaignLead.lead_id.in_(matching))
        resync_campaign(session, campaign)
    apply_max_attempts(session, campaign)
    return link


def unassign_list(session: Session, campaign: Campaign, link: CampaignLeadList) -> None:
    """Take a list out: its leads nobody worked go (or move to another assigned list)."""
    _lock(session, campaign)
    _delete_unworked(session, campaign, link)
    session.delete(link)
    session.flush()
    links = campaign_links(session, campaign)
    for position, other in enumerate(links, start=1):
        other.priority = position
    session.flush()
    resync_campaign(session, campaign)


def move_list(session: Session, campaign: Campaign, link: CampaignLeadList, direction: str) -> None:
    """One place up (towards 1) or down."""
    if direction not in ("up", "down"):
        raise ValidationFailed({"direction": "must be up or down"})
    _lock(session, campaign)
    links = campaign_links(session, campaign)
    at = links.index(link)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(links):
        links[at], links[to] = links[to], links[at]
    _renumber(links)
    session.flush()
    _settle(session, campaign, links)


def reorder_lists(session: Session, campaign: Campaign, link_ids: list) -> None:
    """Priorities from an ordered list of the campaign's list links (the drag's result)."""
    _lock(session, campaign)
    links = campaign_links(session, campaign)
    by_id = {str(x.id): x for x in links}
    wanted = [str(i) for i in link_ids]
    if sorted(wanted) != sorted(by_id):
        raise ValidationFailed({"order": "must name each of the campaign's lists once"})
    ordered = [by_id[i] for i in wanted]
    _renumber(ordered)
    session.flush()
    _settle(session, campaign, ordered)


def apply_max_attempts(session: Session, campaign: Campaign) -> None:
    """Leads at or past their list's limit leave the queue; a raised limit brings them back."""
    _lock(session, campaign)
    now = utcnow()
    links = campaign_links(session, campaign)
    limits = [(x.lead_list_id, x.max_attempts_override or campaign.max_attempts) for x in links]
    assigned = [x.lead_list_id for x in links]
    for list_id, limit in [*limits, (None, campaign.max_attempts)]:
        of_list = (
            CampaignLead.lead_list_id == list_id
            if list_id is not None
            else (CampaignLead.lead_list_id.is_(None) | CampaignLead.lead_list_id.not_in(assigned))
        )
        base = (CampaignLead.campaign_id == campaign.id, of_list)
        session.execute(
            update(CampaignLead)
            .where(*base, CampaignLead.status.in_(QUEUE_STATUSES), CampaignLead.attempts >= limit)
            .values(status="failed", exhausted_at=now, locked_by_id=None, locked_until=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(CampaignLead)
            .where(
                *base,
                CampaignLead.status == "failed",
                CampaignLead.exhausted_at.is_not(None),
                CampaignLead.attempts < limit,
            )
            .values(status="queued", exhausted_at=None)
            .execution_options(synchronize_session=False)
        )
    recount(session, campaign, links)


def attempts_limit(campaign: Campaign, link: CampaignLeadList | None) -> int:
    return (link.max_attempts_override if link else None) or campaign.max_attempts


def campaign_links(session: Session, campaign: Campaign) -> list[CampaignLeadList]:
    """The campaign's list links, by priority."""
    return list(
        session.execute(
            select(CampaignLeadList)
            .where(CampaignLeadList.campaign_id == campaign.id)
            .order_by(CampaignLeadList.priority, CampaignLeadList.assigned_at)
        ).scalars()
    )


def recount(session: Session, campaign: Campaign, links=None) -> None:
    """Each list's total, contacted and successful leads in this campaign, counted now."""
    links = campaign_links(session, campaign) if links is None else links
    counted = {
        row.lead_list_id: row
        for row in session.execute(
            select(
                CampaignLead.lead_list_id,
                func.count().label("total"),
                func.sum(case((CampaignLead.status.in_(CONTACTED_STATUSES), 1), else_=0)).label(
                    "contacted"
                ),
                func.sum(case((CampaignLead.status == SUCCESS_STATUS, 1), else_=0)).label(
                    "successful"
                ),
                func.sum(case((CampaignLead.status.in_(QUEUE_STATUSES), 1), else_=0)).label(
                    "waiting"
                ),
            )
            .where(CampaignLead.campaign_id == campaign.id)
            .group_by(CampaignLead.lead_list_id)
        )
    }
    now = utcnow()
    for link in links:
        row = counted.get(link.lead_list_id)
        link.total_leads = row.total if row else 0
        link.contacted_leads = int(row.contacted or 0) if row else 0
        link.successful_leads = int(row.successful or 0) if row else 0
        finished = bool(row) and not row.waiting
        link.completed_at = (link.completed_at or now) if finished else None
    session.flush()


def clean_criteria(criteria) -> dict | None:
    """A stored filter: LeadFilter's own criteria (unknown keys and bad values dropped)."""
    if criteria in (None, "", {}):
        return None
    if not isinstance(criteria, dict):
        raise ValidationFailed({"filter_criteria": "must be a filter of My Leads"})
    return LeadFilter.from_args(criteria, default_owner="any").criteria() or None


def clean_max_attempts(value, field: str = "max_attempts") -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationFailed({field: "must be a whole number"}) from None
    if not 1 <= number <= MAX_ATTEMPTS_LIMIT:
        raise ValidationFailed({field: f"must be between 1 and {MAX_ATTEMPTS_LIMIT}"})
    return number


def _clean_priority(value) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationFailed({"priority": "must be a whole number"}) from None
    if number < 1:
        raise ValidationFailed({"priority": "must be 1 or more"})
    return number


def _place(links: list[CampaignLeadList], link: CampaignLeadList, priority: int) -> None:
    links.remove(link)
    links.insert(min(priority, len(links) + 1) - 1, link)
    _renumber(links)


def _renumber(links: list[CampaignLeadList]) -> None:
    for position, link in enumerate(links, start=1):
        link.priority = position


def _timezone(session: Session, campaign: Campaign) -> str:
    workspace = session.get(Workspace, campaign.workspace_id)
    return workspace.timezone if workspace else "UTC"


def _lists_of(session: Session, links) -> dict:
    ids = [x.lead_list_id for x in links]
    if not ids:
        return {}
    found = session.execute(select(LeadList).where(LeadList.id.in_(ids))).scalars()
    return {x.id: x for x in found}


def _matching_ids(link: CampaignLeadList, lead_list: LeadList, timezone: str) -> Select:
    """The ids of the list's members that pass the link's filter."""
    query = member_ids(lead_list, timezone)
    if link.filter_criteria:
        criteria = LeadFilter.from_args(link.filter_criteria, default_owner="any")
        query = query.where(*filter_conditions(criteria, lead_list.workspace_id, None, timezone))
    return query


def _new_id(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.gen_random_uuid()
    return func.lower(func.hex(func.randomblob(16)))  # SQLite keeps a UUID as 32 hex digits


def _fill(
    session: Session, campaign: Campaign, link: CampaignLeadList, lead_list: LeadList, tz: str
) -> int:
    """One INSERT … SELECT of the matching members not yet in the campaign."""
    members = _matching_ids(link, lead_list, tz).subquery()
    lead_id = next(iter(members.c))
    # The campaign's leads read once, up front: a NOT EXISTS straight on campaign_leads is
    # planned from its statistics, and when they say "empty" (a new campaign, a fresh
    # table) PostgreSQL may scan the table once per member while the INSERT grows it.
    # (SQLite looks the pair up in the unique index anyway, and its driver counts no rows
    # of an INSERT that starts with WITH.)
    present = select(CampaignLead.lead_id).where(CampaignLead.campaign_id == campaign.id)
    if session.get_bind().dialect.name == "postgresql":
        present = present.cte("present").prefix_with("MATERIALIZED")
    else:
        present = present.subquery("present")
    now = literal(utcnow(), UTCDateTime())
    rows = select(
        _new_id(session),
        literal(campaign.id),
        lead_id,
        literal(link.lead_list_id),
        literal(link.priority),
        literal("new"),
        literal(0),
        literal(0),
        now,
        now,
        now,
    ).where(~exists().where(present.c.lead_id == lead_id))
    columns = [
        "id",
        "campaign_id",
        "lead_id",
        "lead_list_id",
        "list_priority",
        "status",
        "attempts",
        "total_talk_time",
        "next_attempt_at",
        "created_at",
        "updated_at",
    ]
    # No ON CONFLICT: its speculative insertion costs ~30% on a big list, and the NOT
    # EXISTS guard is enough while the campaign row is locked (_lock) by every writer.
    statement = insert(CampaignLead).from_select(columns, rows)
    # An INSERT's rowcount is kept only when asked for (SQLAlchemy's preserve_rowcount).
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return result.rowcount


def _lock(session: Session, campaign: Campaign) -> None:
    """Writers of a campaign's leads take turns (PostgreSQL; SQLite has one writer anyway)."""
    session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update()).first()


def _unworked():
    return and_(
        CampaignLead.attempts == 0,
        CampaignLead.status == "new",
        CampaignLead.locked_by_id.is_(None),
    )


def _delete_unworked(session: Session, campaign: Campaign, link: CampaignLeadList, *more) -> None:
    from sqlalchemy import delete

    session.execute(
        delete(CampaignLead)
        .where(
            CampaignLead.campaign_id == campaign.id,
            CampaignLead.lead_list_id == link.lead_list_id,
            _unworked(),
            *more,
        )
        .execution_options(synchronize_session=False)
    )


def _settle(session: Session, campaign: Campaign, links: list[CampaignLeadList]) -> None:
    """Copy each list's priority onto its leads, move unworked leads up, recount."""
    links = sorted(links, key=lambda x: x.priority)
    for link in links:
        session.execute(
            update(CampaignLead)
            .where(
                CampaignLead.campaign_id == campaign.id,
                CampaignLead.lead_list_id == link.lead_list_id,
                CampaignLead.list_priority != link.priority,
            )
            .values(list_priority=link.priority)
            .execution_options(synchronize_session=False)
        )
    if len(links) > 1:
        timezone = _timezone(session, campaign)
        lists = _lists_of(session, links)
        for link in links[:-1]:  # in priority order: the first list holding a lead wins
            matching = _matching_ids(link, lists[link.lead_list_id], timezone)
            session.execute(
                update(CampaignLead)
                .where(
                    CampaignLead.campaign_id == campaign.id,
                    CampaignLead.status == "new",
                    CampaignLead.list_priority > link.priority,
                    _unworked(),
                    CampaignLead.lead_id.in_(matching),
                )
                .values(lead_list_id=link.lead_list_id, list_priority=link.priority)
                .execution_options(synchronize_session=False)
            )
    recount(session, campaign, links)
