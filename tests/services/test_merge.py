"""Merging keeps everything; undoing brings the other lead back exactly."""

import pytest

from webapp.models import (
    AuditLog,
    Campaign,
    CampaignLead,
    Lead,
    LeadActivity,
    LeadList,
    LeadListMember,
)
from webapp.services.errors import Conflict, NotFound, ValidationFailed
from webapp.services.leads.merge import merge_leads
from webapp.services.leads.merge_undo import undo_merge
from webapp.services.leads.tags import add_tags
from webapp.services.leads.timeline import add_activity
from webapp.services.lists.lists import add_leads_to_list


@pytest.fixture()
def pair(db, factory):
    workspace = factory.workspace()
    user = factory.user(workspace, role="admin")
    kept = factory.lead(
        workspace,
        full_name="Jon Smith",
        first_name="Jon",
        last_name="Smith",
        email="jon@acme.example.com",
        company_domain="acme.example.com",
        phone=None,
        job_title="VP Sales",
    )
    other = factory.lead(
        workspace,
        full_name="John Smith",
        first_name="John",
        last_name="Smith",
        email="john.smith@acme.example.com",
        company_domain="acme.example.com",
        phone="+14155550123",
        job_title="Vice President",
        city="Austin",
    )
    add_tags(db.session, kept, ["shared"])
    add_tags(db.session, other, ["shared", "webinar"])
    add_activity(db.session, other, "note_added", "met at the webinar", user.id)
    both, only_other = (
        LeadList(workspace_id=workspace.id, name="Both"),
        LeadList(workspace_id=workspace.id, name="Only other"),
    )
    campaign, clash = (
        Campaign(workspace_id=workspace.id, name="Calls"),
        Campaign(workspace_id=workspace.id, name="Clash"),
    )
    db.session.add_all([both, only_other, campaign, clash])
    db.session.flush()
    add_leads_to_list(db.session, both, [kept.id, other.id])
    add_leads_to_list(db.session, only_other, [other.id])
    db.session.add_all(
        [
            CampaignLead(campaign_id=campaign.id, lead_id=other.id, attempts=3, outcome="callback"),
            CampaignLead(campaign_id=clash.id, lead_id=kept.id, attempts=1),
            CampaignLead(campaign_id=clash.id, lead_id=other.id, attempts=4, outcome="pledged"),
        ]
    )
    db.session.commit()
    return workspace, user, kept, other


def count(db, model, *where):
    db.session.expire_all()
    return db.session.execute(
        db.select(db.func.count()).select_from(model).where(*where)
    ).scalar_one()


def test_merge_keeps_everything(db, pair):
    workspace, user, kept, other = pair
    other_id = other.id
    merge = merge_leads(db.session, workspace.id, kept.id, other_id, user.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Lead, other_id) is None
    kept = db.session.get(Lead, kept.id)
    assert kept.phone == "+14155550123" and kept.city == "Austin"  # empty fields filled
    assert kept.job_title == "VP Sales" and kept.email == "jon@acme.example.com"  # kept as is
    assert sorted(t.name for t in kept.tags) == ["shared", "webinar"]
    descriptions = [
        a.description
        for a in db.session.execute(
            db.select(LeadActivity).where(LeadActivity.lead_id == kept.id)
        ).scalars()
    ]
    assert "met at the webinar" in descriptions
    assert count(db, LeadListMember, LeadListMember.lead_id == kept.id) == 2
    assert count(db, CampaignLead, CampaignLead.lead_id == kept.id) == 2
    merged = db.session.execute(
        db.select(LeadActivity).where(LeadActivity.activity_type == "merged")
    ).scalar_one()
    assert merged.data["merge_id"] == str(merge.id) and merged.lead_id == kept.id
    assert set(merged.data["filled"]) >= {"phone", "city"}
    assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "leads.merged")).scalar()


def test_undo_brings_the_other_lead_back(db, pair):
    workspace, user, kept, other = pair
    other_id, kept_id = other.id, kept.id
    snapshot = {c.name: getattr(other, c.name) for c in Lead.__table__.columns}
    activities_before = count(db, LeadActivity, LeadActivity.lead_id == other_id)
    merge = merge_leads(db.session, workspace.id, kept_id, other_id, user.id)
    db.session.commit()
    restored = undo_merge(db.session, workspace.id, merge.id, user.id)
    db.session.commit()
    db.session.expire_all()
    restored = db.session.get(Lead, other_id)
    for name, value in snapshot.items():
        if name not in ("updated_at", "last_activity_at"):
            assert getattr(restored, name) == value, name
    assert sorted(t.name for t in restored.tags) == ["shared", "webinar"]
    kept = db.session.get(Lead, kept_id)
    assert kept.phone is None and kept.city is None  # filled fields cleared again
    assert [t.name for t in kept.tags] == ["shared"]
    assert count(db, LeadActivity, LeadActivity.lead_id == other_id) == activities_before + 1
    assert count(db, LeadListMember, LeadListMember.lead_id == other_id) == 2
    assert count(db, LeadListMember, LeadListMember.lead_id == kept_id) == 1
    rows = (
        db.session.execute(db.select(CampaignLead).where(CampaignLead.lead_id == other_id))
        .scalars()
        .all()
    )
    assert sorted((r.attempts, r.outcome) for r in rows) == [(3, "callback"), (4, "pledged")]
    assert count(db, CampaignLead, CampaignLead.lead_id == kept_id) == 1
    merged = db.session.execute(
        db.select(LeadActivity).where(LeadActivity.activity_type == "merged")
    ).scalar_one()
    assert merged.data["undone"] is True
    assert db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "leads.merge_undone")
    ).scalar()
    with pytest.raises(Conflict):
        undo_merge(db.session, workspace.id, merge.id, user.id)


def test_merge_refuses_self_and_other_workspaces(db, factory, pair):
    workspace, user, kept, other = pair
    with pytest.raises(ValidationFailed):
        merge_leads(db.session, workspace.id, kept.id, kept.id, user.id)
    stranger = factory.lead(factory.workspace(), email="stranger@example.com")
    with pytest.raises(NotFound):
        merge_leads(db.session, workspace.id, kept.id, stranger.id, user.id)
    merge = merge_leads(db.session, workspace.id, kept.id, other.id, user.id)
    db.session.commit()
    with pytest.raises(NotFound):
        undo_merge(db.session, stranger.workspace_id, merge.id, user.id)


def test_merge_fills_a_missing_email(db, factory):
    workspace = factory.workspace()
    kept = factory.lead(workspace, full_name="Ana Lima", email=None, company_name="Orbit")
    other = factory.lead(
        workspace, full_name="Ana Lima", email="ana@orbit.example.com", company_name="Orbit"
    )
    merge = merge_leads(db.session, workspace.id, kept.id, other.id, None)
    db.session.commit()
    db.session.refresh(kept)
    assert kept.email_normalized == "ana@orbit.example.com"
    undo_merge(db.session, workspace.id, merge.id, None)
    db.session.commit()
    db.session.refresh(kept)
    assert kept.email is None and kept.email_normalized is None
    assert db.session.get(Lead, other.id).email == "ana@orbit.example.com"
