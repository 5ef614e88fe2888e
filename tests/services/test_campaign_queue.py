"""The queue's claim: one rep per lead, even when reps ask at the same moment."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from webapp.extensions import db as _db
from webapp.models import CampaignLead
from webapp.services.campaigns.assignment import assign_list
from webapp.services.campaigns.queue import claim_next, queue_page


def _campaign(db, factory, n):
    workspace = factory.workspace()
    leads = [factory.lead(workspace) for _ in range(n)]
    campaign = factory.campaign(workspace, status="active")
    assign_list(db.session, campaign, factory.lead_list(workspace, leads=leads))
    db.session.commit()
    return workspace, campaign


def test_an_expired_lock_frees_the_lead_for_another_rep(db, factory):
    workspace, campaign = _campaign(db, factory, 1)
    ana, bo = factory.user(workspace), factory.user(workspace)
    first = claim_next(db.session, campaign, ana.id, lock_minutes=15)
    db.session.commit()
    assert claim_next(db.session, campaign, bo.id) is None
    from datetime import timedelta

    first.locked_until = first.locked_until - timedelta(minutes=30)
    db.session.commit()
    again = claim_next(db.session, campaign, bo.id)
    db.session.commit()
    assert (again.id, again.locked_by_id) == (first.id, bo.id)


def test_an_inactive_list_leaves_the_queue(db, factory):
    workspace, campaign = _campaign(db, factory, 2)
    link = campaign.lead_lists[0]
    link.is_active = False
    db.session.commit()
    assert queue_page(db.session, campaign).total == 0
    assert claim_next(db.session, campaign, factory.user(workspace).id) is None


@pytest.mark.postgres
def test_reps_racing_on_their_own_connections_never_share_a_lead(app, db, factory):
    leads, reps = 30, 4
    workspace, campaign = _campaign(db, factory, leads)
    users = [factory.user(workspace).id for _ in range(reps)]
    campaign_id = campaign.id
    claimed: list = []
    errors: list = []
    start = threading.Barrier(reps)

    def work(user_id):
        try:
            with app.app_context():
                session = _db.session
                start.wait()
                while True:
                    mine = session.get(type(campaign), campaign_id)
                    row = claim_next(session, mine, user_id)
                    if row is None:
                        session.commit()
                        return
                    claimed.append(row.id)
                    row.status, row.locked_by_id, row.locked_until = "contacted", None, None
                    session.commit()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(claimed) == leads
    assert len(set(claimed)) == leads  # nobody got a lead another rep had
    db.session.expire_all()
    statuses = set(db.session.execute(select(CampaignLead.status)).scalars())
    assert statuses == {"contacted"}


def test_the_page_counts_the_queue_up_to_its_cap(db, factory, monkeypatch):
    from webapp.services.campaigns import queue

    workspace, campaign = _campaign(db, factory, 3)
    assert (queue_page(db.session, campaign).total, queue.queue_size(db.session, campaign)) == (
        3,
        3,
    )
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    capped = queue_page(db.session, campaign, page=5, per_page=1)
    assert (capped.total, capped.capped, capped.page, len(capped.rows)) == (2, True, 2, 1)
    assert queue.queue_size(db.session, campaign) == 3  # the API's exact count


def test_merging_leads_keeps_their_campaign_attempts(db, factory):
    from webapp.models.campaigns import CampaignLeadAttempt

    workspace = factory.workspace()
    kept, other, moved = (factory.lead(workspace) for _ in range(3))
    campaign = factory.campaign(workspace, status="active")
    assign_list(db.session, campaign, factory.lead_list(workspace, leads=[kept, other]))
    solo = factory.campaign(workspace, name="Solo", status="active")
    assign_list(db.session, solo, factory.lead_list(workspace, leads=[moved]))
    db.session.commit()
    rows = {r.lead_id: r for r in db.session.execute(select(CampaignLead)).scalars()}
    for lead in (kept, other, moved):
        factory.campaign_attempt(rows[lead.id], outcome=f"called {lead.id}")

    factory.merge(kept, other)  # both in the campaign: the kept row stays
    factory.merge(kept, moved)  # only the other in "Solo": its row moves to the kept lead
    db.session.expire_all()
    attempts = db.session.execute(select(CampaignLeadAttempt)).scalars().all()
    assert len(attempts) == 3
    holders = {db.session.get(CampaignLead, a.campaign_lead_id).lead_id for a in attempts}
    assert holders == {kept.id}
