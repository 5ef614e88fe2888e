"""Undoing a merge never fails on what changed since: a reused email, a chain of merges."""

import itertools

import pytest

from webapp.models import (
    Campaign,
    CampaignLead,
    Lead,
    LeadActivity,
    LeadList,
    LeadListMember,
    User,
)
from webapp.models.forms import CaptureForm, SpamSubmission
from webapp.models.merges import LeadMerge
from webapp.services.errors import Conflict
from webapp.services.leads.merge import merge_leads
from webapp.services.leads.merge_undo import undo_merge
from webapp.services.leads.tags import add_tags
from webapp.services.leads.timeline import add_activity
from webapp.services.lists.lists import add_leads_to_list

# What a merge or its undo changes on its own; everything else must come back as it was.
CHANGED_BY_MERGING = {"updated_at", "last_activity_at"}


def lead_state(db, lead_id) -> dict:
    """A lead as a merge and its undo must leave it: its fields and everything it holds."""
    db.session.expire_all()
    lead = db.session.get(Lead, lead_id)
    assert lead is not None
    lists = db.session.execute(
        db.select(LeadList.name, LeadListMember.id, LeadListMember.notes)
        .join(LeadListMember)
        .where(LeadListMember.lead_id == lead_id)
    ).all()
    campaigns = db.session.execute(
        db.select(Campaign.name, CampaignLead.id, CampaignLead.attempts, CampaignLead.outcome)
        .join(CampaignLead)
        .where(CampaignLead.lead_id == lead_id)
    ).all()
    notes = db.session.execute(
        db.select(LeadActivity.id).where(
            LeadActivity.lead_id == lead_id, LeadActivity.activity_type == "note_added"
        )
    ).scalars()
    return {
        "fields": {
            c.name: getattr(lead, c.name)
            for c in Lead.__table__.columns
            if c.name not in CHANGED_BY_MERGING
        },
        "tags": sorted(t.name for t in lead.tags),
        "lists": sorted(lists),
        "campaigns": sorted(campaigns),
        "notes": sorted(notes),
    }


def merge_records(db, lead_id) -> list:
    db.session.expire_all()
    return (
        db.session.execute(db.select(LeadMerge.id).where(LeadMerge.kept_lead_id == lead_id))
        .scalars()
        .all()
    )


@pytest.fixture()
def workspace(factory):
    return factory.workspace()


@pytest.fixture()
def user(factory, workspace):
    return factory.user(workspace, role="admin")


# -- a reused email ---------------------------------------------------------------------------


@pytest.fixture()
def merged_pair(db, factory, workspace, user):
    """Jon kept, Jonathon merged into him (bringing a phone, a tag, a list and a note)."""
    jon, jonathon = factory.likely_duplicates(workspace)
    add_tags(db.session, jonathon, ["webinar"])
    add_activity(db.session, jonathon, "note_added", "asked for pricing", user.id)
    callers = LeadList(workspace_id=workspace.id, name="Callers")
    db.session.add(callers)
    db.session.flush()
    add_leads_to_list(db.session, callers, [jonathon.id])
    db.session.commit()
    jonathon_id = jonathon.id
    merge = merge_leads(db.session, workspace.id, jon.id, jonathon_id, user.id)
    db.session.commit()
    return jon, jonathon_id, merge


def test_undo_refuses_when_the_email_now_belongs_to_another_lead(
    db, factory, workspace, user, merged_pair
):
    jon, jonathon_id, merge = merged_pair
    newcomer = factory.lead(
        workspace, full_name="Jonathon Newman", email="Jonathon@AcmeWidgets.com"
    )
    jon_before, newcomer_before = lead_state(db, jon.id), lead_state(db, newcomer.id)

    with pytest.raises(Conflict) as refused:
        undo_merge(db.session, workspace.id, merge.id, user.id)
    db.session.rollback()

    message = str(refused.value)
    assert "jonathon@acmewidgets.com" in message and "Jonathon Newman" in message
    assert "merge or edit that lead first" in message
    db.session.expire_all()
    assert db.session.get(Lead, jonathon_id) is None
    assert db.session.get(LeadMerge, merge.id).undone_at is None
    assert lead_state(db, jon.id) == jon_before  # still holds all Jonathon brought
    assert lead_state(db, newcomer.id) == newcomer_before


def test_undo_refuses_without_touching_the_session_it_was_given(
    db, factory, workspace, user, merged_pair
):
    jon, jonathon_id, merge = merged_pair
    factory.lead(workspace, full_name="Jonathon Newman", email="jonathon@acmewidgets.com")

    with pytest.raises(Conflict):
        undo_merge(db.session, workspace.id, merge.id, user.id)

    # Refused before changing anything: committing now must not lose a thing.
    assert not db.session.new and not db.session.dirty and not db.session.deleted
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Lead, jon.id).phone == "+14155550190"


def test_undo_works_once_the_email_is_free_again(db, factory, workspace, user, merged_pair):
    jon, jonathon_id, merge = merged_pair
    newcomer = factory.lead(
        workspace, full_name="Jonathon Newman", email="jonathon@acmewidgets.com"
    )
    with pytest.raises(Conflict):
        undo_merge(db.session, workspace.id, merge.id, user.id)
    db.session.rollback()
    newcomer.email, newcomer.email_normalized = "jn@acmewidgets.com", "jn@acmewidgets.com"
    db.session.commit()

    undo_merge(db.session, workspace.id, merge.id, user.id)
    db.session.commit()

    restored = lead_state(db, jonathon_id)
    assert restored["fields"]["email"] == "jonathon@acmewidgets.com"
    assert restored["fields"]["phone"] == "+14155550190"
    assert restored["tags"] == ["webinar"] and [n for n, *_ in restored["lists"]] == ["Callers"]
    assert len(restored["notes"]) == 1
    assert db.session.get(Lead, jon.id).phone is None


def test_the_kept_lead_holding_the_email_in_another_spelling_is_named(db, workspace, user, factory):
    jon = factory.lead(workspace, full_name="Jon Doe", email=None, company_name="Acme Widgets")
    jonathon = factory.lead(workspace, full_name="Jonathon Doe", email="jonathon@acmewidgets.com")
    merge = merge_leads(db.session, workspace.id, jon.id, jonathon.id, user.id)
    db.session.commit()
    jon.email = "JONATHON@acmewidgets.com"  # edited after the merge: no longer what it filled
    db.session.commit()

    with pytest.raises(Conflict, match="now belongs to Jon Doe"):
        undo_merge(db.session, workspace.id, merge.id, user.id)


def test_a_reference_to_a_row_deleted_since_is_dropped_as_that_delete_would(
    db, factory, workspace, user
):
    owner = factory.user(workspace)
    sam = factory.lead(workspace, full_name="Sam Lee", email="sam@orbit.example.com")
    samuel = factory.lead(
        workspace, full_name="Samuel Lee", email="samuel@orbit.example.com", assigned_to_id=owner.id
    )
    both, kept_too = (
        LeadList(workspace_id=workspace.id, name="Both"),
        LeadList(workspace_id=workspace.id, name="Kept too"),
    )
    calls = Campaign(workspace_id=workspace.id, name="Calls")
    db.session.add_all([both, kept_too, calls])
    db.session.flush()
    add_leads_to_list(db.session, both, [sam.id, samuel.id])
    add_leads_to_list(db.session, kept_too, [sam.id, samuel.id])
    db.session.add_all(
        [
            CampaignLead(campaign_id=calls.id, lead_id=sam.id),
            CampaignLead(campaign_id=calls.id, lead_id=samuel.id, attempts=3),
        ]
    )
    db.session.commit()
    samuel_id = samuel.id
    merge = merge_leads(db.session, workspace.id, sam.id, samuel_id, user.id)
    db.session.commit()
    # Samuel's rows in the list and campaign Sam was in too live on in the merge record only.
    for gone in (db.session.get(User, owner.id), both, calls):
        db.session.delete(gone)
    db.session.commit()

    undo_merge(db.session, workspace.id, merge.id, user.id)
    db.session.commit()

    restored = lead_state(db, samuel_id)
    assert restored["fields"]["assigned_to_id"] is None  # ON DELETE SET NULL
    assert [name for name, *_ in restored["lists"]] == ["Kept too"]  # ON DELETE CASCADE
    assert restored["campaigns"] == []


# -- a chain of merges --------------------------------------------------------------------------


@pytest.fixture()
def family(db, factory, workspace, user):
    """Five leads whose lists, campaigns, tags and empty fields overlap in every way a merge
    can meet: moved on, dropped (the kept lead had it already), filled, or left alone."""
    people = {
        "a": dict(full_name="Ann Roe", email="ann@orbit.example.com", phone=None, city=None),
        "b": dict(full_name="Ann B. Roe", email=None, job_title="CTO", website="orbit.example"),
        "c": dict(
            full_name="Annie Roe",
            email="annie@orbit.example.com",
            phone="+14155550111",
            city="Austin",
        ),
        "d": dict(full_name="A. Roe", email=None, phone=None, city="Boston"),
        "e": dict(full_name="Ann R.", email="a.roe@orbit.example.com", phone="+14155550999"),
    }
    leads = {k: factory.lead(workspace, company_name="Orbit", **v) for k, v in people.items()}
    tags = {"a": ["shared"], "b": ["cto"], "c": ["webinar", "vip"], "d": ["vip"], "e": []}
    for key, names in tags.items():
        if names:
            add_tags(db.session, leads[key], names)
        add_activity(db.session, leads[key], "note_added", f"note on {key}", user.id)
    lists = {name: LeadList(workspace_id=workspace.id, name=name) for name in ("All", "C", "AD")}
    campaigns = {name: Campaign(workspace_id=workspace.id, name=name) for name in ("Calls", "Mail")}
    db.session.add_all([*lists.values(), *campaigns.values()])
    db.session.flush()
    add_leads_to_list(db.session, lists["All"], [lead.id for lead in leads.values()])
    add_leads_to_list(db.session, lists["C"], [leads["c"].id])
    add_leads_to_list(db.session, lists["AD"], [leads["a"].id, leads["d"].id])
    db.session.add_all(
        [
            CampaignLead(
                campaign_id=campaigns["Calls"].id,
                lead_id=leads["c"].id,
                attempts=2,
                outcome="callback",
            ),
            CampaignLead(campaign_id=campaigns["Calls"].id, lead_id=leads["d"].id, attempts=5),
            CampaignLead(campaign_id=campaigns["Mail"].id, lead_id=leads["b"].id, attempts=1),
        ]
    )
    db.session.commit()
    return {key: lead.id for key, lead in leads.items()}


def merge_into(db, workspace, user, kept_id, other_id):
    merge = merge_leads(db.session, workspace.id, kept_id, other_id, user.id)
    db.session.commit()
    return merge.id


def undo(db, workspace, user, merge_id):
    restored = undo_merge(db.session, workspace.id, merge_id, user.id)
    db.session.commit()
    return restored.id


def test_earlier_merges_follow_the_kept_lead_when_it_is_merged(db, workspace, user, family):
    c_into_a = merge_into(db, workspace, user, family["a"], family["c"])
    a_into_d = merge_into(db, workspace, user, family["d"], family["a"])

    assert sorted(merge_records(db, family["d"])) == sorted([c_into_a, a_into_d])
    undo_buttons = db.session.execute(
        db.select(LeadActivity.data).where(
            LeadActivity.lead_id == family["d"], LeadActivity.activity_type == "merged"
        )
    ).scalars()
    assert sorted(data["merge_id"] for data in undo_buttons) == sorted(
        [str(c_into_a), str(a_into_d)]
    )


def test_undoing_the_outer_merge_first_brings_back_the_lead_with_its_own_merge(
    db, workspace, user, family
):
    before = {key: lead_state(db, lead_id) for key, lead_id in family.items()}
    c_into_a = merge_into(db, workspace, user, family["a"], family["c"])
    a_holding_c = lead_state(db, family["a"])
    a_into_d = merge_into(db, workspace, user, family["d"], family["a"])

    assert undo(db, workspace, user, a_into_d) == family["a"]
    assert lead_state(db, family["a"]) == a_holding_c
    assert lead_state(db, family["d"]) == before["d"]
    assert merge_records(db, family["a"]) == [c_into_a]

    assert undo(db, workspace, user, c_into_a) == family["c"]
    assert {key: lead_state(db, lead_id) for key, lead_id in family.items()} == before


def test_undoing_the_inner_merge_first_takes_back_what_it_brought_from_the_new_kept_lead(
    db, workspace, user, family
):
    before = {key: lead_state(db, lead_id) for key, lead_id in family.items()}
    c_into_a = merge_into(db, workspace, user, family["a"], family["c"])
    a_into_d = merge_into(db, workspace, user, family["d"], family["a"])

    assert undo(db, workspace, user, c_into_a) == family["c"]
    assert lead_state(db, family["c"]) == before["c"]
    d = lead_state(db, family["d"])
    assert d["fields"]["phone"] is None  # C's phone went A -> D; it left with C
    assert d["fields"]["city"] == "Boston" and d["tags"] == ["shared", "vip"]
    assert "C" not in [name for name, *_ in d["lists"]]
    assert [name for name, *_ in d["campaigns"]] == ["Calls"]

    assert undo(db, workspace, user, a_into_d) == family["a"]
    assert {key: lead_state(db, lead_id) for key, lead_id in family.items()} == before


def test_a_value_given_again_after_the_inner_undo_stays_through_the_outer_undo(
    db, workspace, user, family
):
    c_into_a = merge_into(db, workspace, user, family["a"], family["c"])
    a_into_d = merge_into(db, workspace, user, family["d"], family["a"])
    undo(db, workspace, user, c_into_a)  # C's phone leaves D with C
    db.session.get(Lead, family["d"]).phone = "+14155550111"  # then D is given that number
    db.session.commit()

    undo(db, workspace, user, a_into_d)

    assert lead_state(db, family["d"])["fields"]["phone"] == "+14155550111"
    assert lead_state(db, family["a"])["fields"]["phone"] is None


def test_an_undone_inner_merge_does_not_travel_with_a_later_undo(db, workspace, user, family):
    before = {key: lead_state(db, lead_id) for key, lead_id in family.items()}
    c_into_a = merge_into(db, workspace, user, family["a"], family["c"])
    a_into_d = merge_into(db, workspace, user, family["d"], family["a"])
    undo(db, workspace, user, c_into_a)
    c_into_d = merge_into(
        db, workspace, user, family["d"], family["c"]
    )  # C merged again, elsewhere

    undo(db, workspace, user, a_into_d)  # must not carry C's things off to A
    assert lead_state(db, family["a"]) == before["a"]
    undo(db, workspace, user, c_into_d)
    assert {key: lead_state(db, lead_id) for key, lead_id in family.items()} == before


CHAIN = [("a", "c"), ("a", "b"), ("d", "a"), ("e", "d")]


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(CHAIN)))))
def test_a_merge_tree_undone_in_any_order_gives_every_lead_back(db, workspace, user, family, order):
    before = {key: lead_state(db, lead_id) for key, lead_id in family.items()}
    merges = [merge_into(db, workspace, user, family[k], family[o]) for k, o in CHAIN]
    assert sorted(merge_records(db, family["e"])) == sorted(merges)

    for step in order:
        assert undo(db, workspace, user, merges[step]) == family[CHAIN[step][1]]

    assert {key: lead_state(db, lead_id) for key, lead_id in family.items()} == before
    merged = (
        db.session.execute(db.select(LeadActivity).where(LeadActivity.activity_type == "merged"))
        .scalars()
        .all()
    )
    assert len(merged) == len(CHAIN) and all(a.data["undone"] for a in merged)
    for (kept, _), merge_id in zip(CHAIN, merges, strict=True):
        # Each record and its timeline entry are back with the lead that kept it.
        assert db.session.get(LeadMerge, merge_id).kept_lead_id == family[kept]
        assert (
            next(a for a in merged if a.data["merge_id"] == str(merge_id)).lead_id == family[kept]
        )


def test_a_chain_gives_back_an_email_it_filled_all_the_way(db, factory, workspace, user):
    a = factory.lead(workspace, full_name="Ann Roe", email=None, company_name="Orbit")
    c = factory.lead(workspace, full_name="Annie Roe", email="annie@orbit.example.com")
    d = factory.lead(workspace, full_name="A. Roe", email=None, company_name="Orbit")
    c_id = c.id
    c_into_a = merge_into(db, workspace, user, a.id, c_id)
    merge_into(db, workspace, user, d.id, a.id)
    assert db.session.get(Lead, d.id).email_normalized == "annie@orbit.example.com"

    undo(db, workspace, user, c_into_a)

    db.session.expire_all()
    assert db.session.get(Lead, d.id).email is None
    assert db.session.get(Lead, d.id).email_normalized is None
    assert db.session.get(Lead, c_id).email == "annie@orbit.example.com"


def test_deleting_the_kept_lead_takes_its_merge_records_with_it(db, workspace, user, family):
    merge_into(db, workspace, user, family["a"], family["c"])
    merge_into(db, workspace, user, family["d"], family["a"])
    db.session.delete(db.session.get(Lead, family["d"]))
    db.session.commit()
    assert db.session.execute(db.select(db.func.count()).select_from(LeadMerge)).scalar() == 0


def test_a_submission_released_into_a_merged_lead_follows_it_and_comes_back(
    db, workspace, user, family
):
    form = CaptureForm(workspace_id=workspace.id, name="Contact")
    db.session.add(form)
    db.session.flush()
    held = SpamSubmission(
        workspace_id=workspace.id,
        form_id=form.id,
        reason="honeypot",
        payload={"name": "Annie Roe"},
        released_lead_id=family["c"],
    )
    db.session.add(held)
    db.session.commit()

    def released_into():
        db.session.expire_all()
        return db.session.get(SpamSubmission, held.id).released_lead_id

    c_into_a = merge_into(db, workspace, user, family["a"], family["c"])
    assert released_into() == family["a"]  # not cleared by the merged-away lead's delete
    a_into_d = merge_into(db, workspace, user, family["d"], family["a"])
    assert released_into() == family["d"]
    undo(db, workspace, user, c_into_a)  # the inner merge first: C is back, from D
    assert released_into() == family["c"]
    undo(db, workspace, user, a_into_d)
    assert released_into() == family["c"]
