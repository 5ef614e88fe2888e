"""Assigning lists to campaigns: filling, priority dedupe, filters, reorder, re-sync."""

from __future__ import annotations

from sqlalchemy import select

from webapp.models import CampaignLead
from webapp.services.campaigns.assignment import (
    assign_list,
    move_list,
    reorder_lists,
    resync_campaign,
)


def _rows(db, campaign) -> dict:
    """lead id -> (source list id, list priority) of the campaign's leads."""
    db.session.expire_all()
    return {
        row.lead_id: (row.lead_list_id, row.list_priority)
        for row in db.session.execute(
            select(CampaignLead).where(CampaignLead.campaign_id == campaign.id)
        ).scalars()
    }


def test_assigning_fills_every_member_once_under_the_higher_priority_list(db, factory):
    workspace = factory.workspace()
    a, b, c = (factory.lead(workspace) for _ in range(3))
    donors = factory.lead_list(workspace, leads=[a, b], name="Major donors")
    events = factory.lead_list(workspace, leads=[b, c], name="Event attendees")
    campaign = factory.campaign(workspace)

    first = assign_list(db.session, campaign, donors, priority=1)
    second = assign_list(db.session, campaign, events)
    db.session.commit()

    assert (first.priority, second.priority) == (1, 2)
    rows = _rows(db, campaign)
    assert rows == {a.id: (donors.id, 1), b.id: (donors.id, 1), c.id: (events.id, 2)}
    assert (first.total_leads, second.total_leads) == (2, 1)


def test_a_higher_priority_list_assigned_later_takes_unworked_leads(db, factory):
    workspace = factory.workspace()
    a, b = factory.lead(workspace), factory.lead(workspace)
    newsletter = factory.lead_list(workspace, leads=[a, b])
    donors = factory.lead_list(workspace, leads=[a, b])
    campaign = factory.campaign(workspace)
    assign_list(db.session, campaign, newsletter)
    db.session.commit()
    worked = db.session.execute(
        select(CampaignLead).where(CampaignLead.lead_id == b.id)
    ).scalar_one()
    worked.attempts, worked.status = 1, "queued"
    db.session.commit()

    link = assign_list(db.session, campaign, donors, priority=1)
    db.session.commit()

    rows = _rows(db, campaign)
    assert rows[a.id] == (donors.id, 1)  # not worked yet: moves up
    assert rows[b.id] == (newsletter.id, 2)  # already worked: stays with its list
    assert link.total_leads == 1


def test_filter_criteria_take_a_subset_of_the_list(db, factory):
    workspace = factory.workspace()
    hot = factory.lead(workspace, intent="hot")
    cold = factory.lead(workspace, intent="cold")
    lead_list = factory.lead_list(workspace, leads=[hot, cold])
    campaign = factory.campaign(workspace)

    link = assign_list(
        db.session, campaign, lead_list, filter_criteria={"intent": ["hot"], "bogus": "x"}
    )
    db.session.commit()

    assert link.filter_criteria == {"intent": ["hot"]}
    assert set(_rows(db, campaign)) == {hot.id}


def test_reorder_moves_unworked_leads_to_the_new_first_list(db, factory):
    workspace = factory.workspace()
    shared, only_second = factory.lead(workspace), factory.lead(workspace)
    first = factory.lead_list(workspace, leads=[shared])
    second = factory.lead_list(workspace, leads=[shared, only_second])
    campaign = factory.campaign(workspace)
    link_one = assign_list(db.session, campaign, first)
    link_two = assign_list(db.session, campaign, second)
    db.session.commit()

    move_list(db.session, campaign, link_two, "up")
    db.session.commit()
    rows = _rows(db, campaign)
    assert rows == {shared.id: (second.id, 1), only_second.id: (second.id, 1)}
    assert (link_one.total_leads, link_two.total_leads) == (0, 2)

    reorder_lists(db.session, campaign, [link_one.id, link_two.id])
    db.session.commit()
    assert _rows(db, campaign)[shared.id] == (first.id, 1)
    assert _rows(db, campaign)[only_second.id] == (second.id, 2)


def test_resync_adds_new_members_of_a_dynamic_list(db, factory):
    workspace = factory.workspace()
    factory.lead(workspace, intent="hot")
    dynamic = factory.lead_list(
        workspace, list_type="dynamic", criteria={"intent": ["hot"]}, name="Hot leads"
    )
    campaign = factory.campaign(workspace)
    link = assign_list(db.session, campaign, dynamic)
    db.session.commit()
    assert link.total_leads == 1

    later = factory.lead(workspace, intent="hot")
    factory.lead(workspace, intent="cold")
    assert resync_campaign(db.session, campaign) == 1
    db.session.commit()
    assert later.id in _rows(db, campaign)
    assert link.total_leads == 2
    assert resync_campaign(db.session, campaign) == 0


def test_one_list_serves_many_campaigns_each_with_its_own_progress(db, factory):
    workspace = factory.workspace()
    leads = [factory.lead(workspace) for _ in range(3)]
    donors = factory.lead_list(workspace, leads=leads)
    spring, fall = factory.campaign(workspace), factory.campaign(workspace)
    spring_link = assign_list(db.session, spring, donors, priority=1)
    fall_link = assign_list(db.session, fall, donors, priority=1)
    db.session.commit()
    row = db.session.execute(
        select(CampaignLead).where(
            CampaignLead.campaign_id == spring.id, CampaignLead.lead_id == leads[0].id
        )
    ).scalar_one()
    row.status = "converted"
    db.session.commit()
    resync_campaign(db.session, spring)
    resync_campaign(db.session, fall)
    db.session.commit()
    assert (spring_link.total_leads, spring_link.successful_leads) == (3, 1)
    assert (fall_link.total_leads, fall_link.successful_leads) == (3, 0)


def test_a_list_of_another_workspace_is_refused(db, factory):
    import pytest

    from webapp.services.errors import NotFound

    mine, theirs = factory.workspace(), factory.workspace()
    campaign = factory.campaign(mine)
    other_list = factory.lead_list(theirs, leads=[factory.lead(theirs)])
    with pytest.raises(NotFound):
        assign_list(db.session, campaign, other_list)
