"""Bulk actions: on selected rows or on every lead matching the filter, one transaction."""

import pytest

from tests.factories import signed_in
from tests.helpers import activities
from webapp.models import Event, Lead, LeadActivity, LeadList, LeadListMember


@pytest.fixture()
def setup(client, factory):
    workspace, admin = signed_in(client, factory)
    leads = [
        factory.lead(
            workspace,
            full_name=f"Lead {n}",
            email=f"l{n}@example.com",
            source="website" if n < 3 else "referral",
        )
        for n in range(5)
    ]
    return workspace, admin, leads


def ids(leads):
    return [str(lead.id) for lead in leads]


def test_set_status_on_selected_rows(client, db, setup):
    _, admin, leads = setup
    response = client.post_form(
        "/leads/bulk?source=website",
        {
            "action": "status",
            "status": "contacted",
            "note": "called them",
            "lead_id": ids(leads[:2]),
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/leads?source=website"
    db.session.expire_all()
    assert [db.session.get(Lead, lead.id).status for lead in leads] == [
        "contacted",
        "contacted",
        "new",
        "new",
        "new",
    ]
    for lead in leads[:2]:
        (activity,) = activities(db, lead, "status_changed")
        assert activity.performed_by_id == admin.id and "called them" in activity.description
    events = (
        db.session.execute(db.select(Event).where(Event.event_type == "LeadStatusChanged"))
        .scalars()
        .all()
    )
    assert len(events) == 2


def test_all_matching_uses_the_filter(client, db, setup):
    _, _, leads = setup
    client.post_form("/leads/bulk?source=referral", {"action": "archive", "scope": "all"})
    db.session.expire_all()
    assert [db.session.get(Lead, lead.id).status for lead in leads] == [
        "new",
        "new",
        "new",
        "archived",
        "archived",
    ]


def test_assign_and_tags(client, db, setup, factory):
    workspace, _, leads = setup
    rep = factory.user(workspace, role="rep")
    client.post_form(
        "/leads/bulk", {"action": "assign", "assigned_to": str(rep.id), "lead_id": ids(leads[:3])}
    )
    client.post_form(
        "/leads/bulk", {"action": "add_tags", "tags": "VIP, q4", "lead_id": ids(leads[:2])}
    )
    client.post_form(
        "/leads/bulk", {"action": "remove_tags", "tags": "vip", "lead_id": ids(leads[:1])}
    )
    db.session.expire_all()
    assert [db.session.get(Lead, lead.id).assigned_to_id for lead in leads[:3]] == [rep.id] * 3
    assert (
        len(db.session.execute(db.select(Event).where(Event.event_type == "LeadAssigned")).all())
        == 3
    )
    assert [t.name for t in db.session.get(Lead, leads[0].id).tags] == ["q4"]
    assert [t.name for t in db.session.get(Lead, leads[1].id).tags] == ["q4", "vip"]
    assert len(activities(db, leads[0], "updated")) == 2  # tagged, then untagged


def test_assign_to_a_stranger_changes_nothing(client, db, setup, factory):
    _, _, leads = setup
    stranger = factory.user(factory.workspace())
    response = client.post_form(
        "/leads/bulk",
        {"action": "assign", "assigned_to": str(stranger.id), "lead_id": ids(leads)},
        follow_redirects=True,
    )
    assert "Nothing changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert all(db.session.get(Lead, lead.id).assigned_to_id is None for lead in leads)


def test_add_to_new_and_existing_list(client, db, setup):
    workspace, _, leads = setup
    client.post_form(
        "/leads/bulk",
        {"action": "add_to_list", "list_name": "Hot prospects", "lead_id": ids(leads[:2])},
    )
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    client.post_form(
        "/leads/bulk",
        {"action": "add_to_list", "list_id": str(lead_list.id), "lead_id": ids(leads[1:3])},
    )
    db.session.expire_all()
    members = db.session.execute(db.select(LeadListMember.lead_id)).scalars().all()
    assert sorted(map(str, members)) == sorted(ids(leads[:3]))
    assert db.session.get(LeadList, lead_list.id).lead_count == 3
    page = client.get(f"/leads/{leads[0].id}").get_data(as_text=True)
    assert "Hot prospects" in page
    # A lead already in the list gets one "Added to list" activity, not one per attempt.

    added = db.session.execute(
        db.select(LeadActivity.lead_id).where(
            LeadActivity.description == "Added to list Hot prospects"
        )
    ).scalars()
    assert sorted(map(str, added)) == sorted(ids(leads[:3]))


def test_delete_is_for_admins_and_audited(client, db, setup, factory):
    workspace, _, leads = setup
    rep_client = type(client)(client.application.test_client())
    rep_client.login(factory.user(workspace, role="rep"))
    assert (
        rep_client.post_form(
            "/leads/bulk", {"action": "delete", "lead_id": ids(leads[:1])}
        ).status_code
        == 403
    )
    assert db.session.get(Lead, leads[0].id) is not None
    client.post_form("/leads/bulk", {"action": "delete", "lead_id": ids(leads[:2])})
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count()).select_from(Lead)).scalar_one() == 3
    from webapp.models import AuditLog

    row = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "leads.deleted")
    ).scalar_one()
    assert row.details["count"] == 2


def test_other_workspace_ids_are_ignored(client, db, setup, factory):
    other = factory.workspace()
    foreign = factory.lead(other, email="foreign@example.com")
    client.post_form("/leads/bulk", {"action": "archive", "lead_id": [str(foreign.id)]})
    db.session.expire_all()
    assert db.session.get(Lead, foreign.id).status == "new"


def test_failure_part_way_rolls_everything_back(client, db, setup):
    _, _, leads = setup
    response = client.post_form(
        "/leads/bulk", {"action": "status", "status": "sold", "lead_id": ids(leads)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {db.session.get(Lead, lead.id).status for lead in leads} == {"new"}
