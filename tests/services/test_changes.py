"""services/leads/changes.py: each change writes its activity (and event), never commits."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from webapp.models import Event, Lead, LeadActivity
from webapp.services.errors import ValidationFailed
from webapp.services.leads import changes


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace()
    rep = factory.user(workspace, name="Rita Rep")
    lead = factory.lead(workspace, full_name="Lou Lane", email="lou@example.com")
    return workspace, rep, lead


@contextlib.contextmanager
def no_commit(session):
    """Fail if anything commits the session while the block runs."""
    commits = []

    def count(_session):
        commits.append(1)

    target = session()
    sa_event.listen(target, "after_commit", count)
    try:
        yield
    finally:
        sa_event.remove(target, "after_commit", count)
    assert commits == [], "a service committed"


def written(db, lead) -> tuple[list[tuple[str, str | None]], list[str]]:
    """The lead's activities (type, description) and outbox event types, as stored."""
    db.session.expire_all()
    activities = db.session.execute(
        sa.select(LeadActivity.activity_type, LeadActivity.description)
        .where(LeadActivity.lead_id == lead.id, LeadActivity.activity_type != "created")
        .order_by(LeadActivity.created_at)
    ).all()
    events = db.session.execute(
        sa.select(Event.event_type)
        .where(Event.lead_id == lead.id, Event.event_type != "LeadCreated")
        .order_by(Event.id)
    ).scalars()
    return [tuple(a) for a in activities], list(events)


CHANGES = {
    "status": (
        lambda s, lead, by: changes.change_status(s, lead, "closed_won", by, "Signed"),
        [("status_changed", "new → closed_won: Signed")],
        ["LeadStatusChanged"],
    ),
    "owner": (
        lambda s, lead, by: changes.assign_lead(s, lead, by, by),
        [("assigned", "Assigned to Rita Rep")],
        ["LeadAssigned"],
    ),
    "priority": (
        lambda s, lead, by: changes.set_priority(s, lead, "high", by),
        [("updated", "Priority medium → high")],
        [],
    ),
    "tags": (
        lambda s, lead, by: changes.tag_lead(s, lead, "VIP, event", by),
        [("updated", "Tagged vip, event")],
        [],
    ),
    "note": (
        lambda s, lead, by: changes.add_note(s, lead, "  Call back Monday ", by),
        [("note_added", "Call back Monday")],
        [],
    ),
    "contact": (
        lambda s, lead, by: changes.log_contact(s, lead, "call", "Left a message", by),
        [("contacted", "Call: Left a message")],
        [],
    ),
    "api activity": (
        lambda s, lead, by: changes.log_client_activity(s, lead, "contacted", None, by),
        [("contacted", None)],
        [],
    ),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_change_writes_its_activity_and_event_in_the_callers_transaction(db, desk, kind):
    _, rep, lead = desk
    change, activities, events = CHANGES[kind]
    with no_commit(db.session):
        assert change(db.session, lead, rep.id)
    db.session.commit()  # the caller's commit
    assert written(db, lead) == (activities, events)


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_rollback_after_a_change_leaves_nothing(db, desk, kind):
    _, rep, lead = desk
    before = {c.key: getattr(lead, c.key) for c in Lead.__table__.c}
    change, _, _ = CHANGES[kind]
    with no_commit(db.session):
        change(db.session, lead, rep.id)
    db.session.rollback()
    assert written(db, lead) == ([], [])
    stored = db.session.get(Lead, lead.id)
    assert {c.key: getattr(stored, c.key) for c in Lead.__table__.c} == before
    assert stored.tags == []


def test_closing_sets_closed_at_and_reopening_clears_it(db, desk):
    _, rep, lead = desk
    changes.change_status(db.session, lead, "closed_lost", rep.id)
    assert lead.closed_at is not None
    changes.change_status(db.session, lead, "archived", rep.id)
    assert lead.closed_at is not None  # it still closed then
    changes.change_status(db.session, lead, "contacted", rep.id)
    assert lead.closed_at is None
    db.session.commit()
    assert [e for e in written(db, lead)[1]] == ["LeadStatusChanged"] * 3


def test_no_change_writes_nothing(db, desk):
    _, rep, lead = desk
    assert changes.change_status(db.session, lead, "new", rep.id) is False
    assert changes.assign_lead(db.session, lead, None, rep.id) is False
    assert changes.set_priority(db.session, lead, "medium", rep.id) is False
    assert changes.untag_lead(db.session, lead, "never-had", rep.id) == []
    db.session.commit()
    assert written(db, lead) == ([], [])


def test_an_expected_status_that_moved_on_is_a_conflict_and_changes_nothing(db, desk):
    _, rep, lead = desk
    changes.change_status(db.session, lead, "contacted", rep.id)
    db.session.commit()
    with pytest.raises(changes.StatusConflict) as clash:
        changes.change_status(db.session, lead, "qualified", rep.id, expected_status="new")
    assert clash.value.current_status == "contacted"
    assert "is 'contacted' now, not 'new'" in str(clash.value)
    assert lead.status == "contacted"
    assert changes.change_status(db.session, lead, "qualified", rep.id, None, "contacted")


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (lambda s, lead, by: changes.change_status(s, lead, "sold", by), "status"),
        (lambda s, lead, by: changes.set_priority(s, lead, "urgent", by), "priority"),
        (lambda s, lead, by: changes.assign_lead(s, lead, "not-an-id", by), "assigned_to"),
        (lambda s, lead, by: changes.tag_lead(s, lead, " , ", by), "tags"),
        (lambda s, lead, by: changes.add_note(s, lead, "   ", by), "note"),
        (lambda s, lead, by: changes.log_contact(s, lead, "fax", None, by), "channel"),
        (
            lambda s, lead, by: changes.log_client_activity(s, lead, "status_changed", "x", by),
            "activity_type",
        ),
        (
            lambda s, lead, by: changes.log_client_activity(s, lead, "note_added", "", by),
            "description",
        ),
    ],
)
def test_refusals_name_their_field_and_write_nothing(db, desk, change, errors):
    _, rep, lead = desk
    with pytest.raises(ValidationFailed) as refused:
        change(db.session, lead, rep.id)
    assert list(refused.value.errors) == [errors]
    db.session.commit()
    assert written(db, lead) == ([], [])


def test_an_owner_from_another_workspace_is_refused(db, factory, desk):
    _, rep, lead = desk
    stranger = factory.user(factory.workspace())
    with pytest.raises(ValidationFailed) as refused:
        changes.assign_lead(db.session, lead, stranger.id, rep.id)
    assert refused.value.errors == {"assigned_to": "is not a member of this workspace"}


def test_the_lead_page_bulk_and_the_api_make_the_same_change(client, db, factory):
    """One status change, three ways in: the same activity and event each time."""
    from tests.factories import signed_in
    from webapp.services.accounts.api_tokens import create_token

    workspace, admin = signed_in(client, factory, role="admin")
    page_lead, bulk_lead, api_lead = (
        factory.lead(workspace, email=f"{way}@example.com") for way in ("page", "bulk", "api")
    )
    secret = create_token(db.session, workspace.id, "CRM", admin.id).secret
    db.session.commit()

    client.post_form(f"/leads/{page_lead.id}/status", {"status": "qualified", "note": "Fit"})
    client.post_form(
        "/leads/bulk",
        {"action": "status", "status": "qualified", "note": "Fit", "lead_id": str(bulk_lead.id)},
    )
    response = client.patch(
        f"/api/v1/leads/{api_lead.id}/status",
        json={"status": "qualified", "notes": "Fit"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    for lead in (page_lead, bulk_lead, api_lead):
        assert written(db, lead) == (
            [("status_changed", "new → qualified: Fit")],
            ["LeadStatusChanged"],
        ), lead.email
