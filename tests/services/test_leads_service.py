"""Creating leads: normalisation, dedupe by email, the created activity and event."""

import threading
import time

import pytest

from webapp.models import Event, Lead, LeadActivity
from webapp.services.errors import ValidationFailed
from webapp.services.leads.timeline import create_lead


def test_create_normalises_and_records_activity_and_event(db, factory):
    workspace = factory.workspace()
    result = create_lead(
        db.session,
        workspace.id,
        {
            "first_name": "Ana",
            "email": "  Ana@Example.COM ",
            "phone": "(415) 555-0100",
            "company_domain": "https://www.Acme.io/about",
            "source": "website",
        },
    )
    db.session.commit()
    lead = result.lead
    assert result.created
    assert lead.email_normalized == "ana@example.com"
    assert lead.phone == "+14155550100"
    assert lead.company_domain == "acme.io"
    activity = db.session.execute(db.select(LeadActivity)).scalar_one()
    assert activity.activity_type == "created"
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.payload["event_type"] == "LeadCreated"
    assert event.payload["lead_id"] == str(lead.id)
    assert event.payload["email"] == "Ana@example.com"
    assert event.payload["source"] == "website"
    assert event.payload["timestamp"].endswith("Z")


def test_same_email_updates_the_existing_lead(db, factory):
    workspace = factory.workspace()
    first = factory.lead(workspace, email="bo@example.com", phone=None, job_title=None)
    result = create_lead(
        db.session,
        workspace.id,
        {"email": " BO@example.com", "job_title": "CTO", "first_name": "Other"},
    )
    db.session.commit()
    assert not result.created
    assert result.lead.id == first.id
    assert result.filled == ["job_title"]
    assert result.lead.first_name != "Other"  # filled fields only, never overwritten
    assert db.session.execute(db.select(db.func.count()).select_from(Lead)).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count()).select_from(Event)).scalar_one() == 1


def test_same_email_with_tags_adds_them_to_the_existing_lead(db, factory):
    workspace = factory.workspace()
    first = factory.lead(workspace, email="bo@example.com", tags=["vip"])
    result = create_lead(
        db.session, workspace.id, {"email": "bo@example.com", "tags": ["VIP", "event-2026"]}
    )
    db.session.commit()
    assert result.lead.id == first.id
    assert sorted(t.name for t in result.lead.tags) == ["event-2026", "vip"]
    activity = db.session.execute(
        db.select(LeadActivity).where(LeadActivity.activity_type == "updated")
    ).scalar_one()
    assert activity.data["tags_added"] == ["event-2026"]


def test_same_email_in_another_workspace_is_a_new_lead(db, factory):
    a, b = factory.workspace(), factory.workspace()
    factory.lead(a, email="same@example.com")
    result = create_lead(db.session, b.id, {"email": "same@example.com"})
    assert result.created


def test_leads_without_email_never_collide(db, factory):
    workspace = factory.workspace()
    create_lead(db.session, workspace.id, {"company_name": "One", "email": ""})
    create_lead(db.session, workspace.id, {"company_name": "Two"})
    db.session.commit()
    assert db.session.execute(db.select(db.func.count()).select_from(Lead)).scalar_one() == 2


def test_bad_fields_name_the_field_and_reason(db, factory):
    workspace = factory.workspace()
    with pytest.raises(ValidationFailed) as caught:
        create_lead(
            db.session,
            workspace.id,
            {
                "email": "nope",
                "phone": "12",
                "status": "sold",
                "lead_score": "120",
            },
        )
    assert set(caught.value.errors) == {"email", "phone", "status", "lead_score"}
    assert "between 0 and 100" in caught.value.errors["lead_score"]


@pytest.mark.postgres  # SQLite serialises writers; the race needs PostgreSQL
def test_racing_creates_of_one_email_make_one_lead(app, db, factory):
    """Two transactions at once: the second waits on the email index, then folds in."""
    workspace = factory.workspace()
    db.session.commit()
    first = create_lead(
        db.session, workspace.id, {"email": "race@example.com", "source": "website"}
    )
    assert first.created  # inserted, not yet committed: the row is locked

    outcome = {}

    def second_request():
        with app.app_context():
            second = create_lead(
                db.session, workspace.id, {"email": "RACE@example.com", "job_title": "CTO"}
            )
            db.session.commit()
            outcome["created"], outcome["lead_id"] = second.created, second.lead.id
            db.session.remove()

    racer = threading.Thread(target=second_request)
    racer.start()
    time.sleep(0.5)
    assert racer.is_alive()  # blocked on the uncommitted row with the same email
    db.session.commit()
    racer.join(timeout=10)
    assert outcome == {"created": False, "lead_id": first.lead.id}
    db.session.expire_all()
    (lead,) = db.session.execute(db.select(Lead)).scalars().all()
    assert lead.job_title == "CTO"
    activities = db.session.execute(db.select(LeadActivity.activity_type)).scalars().all()
    assert sorted(activities) == ["created", "updated"]
    assert len(db.session.execute(db.select(Event)).scalars().all()) == 1


def _stored_elsewhere(db) -> tuple[int, int, int]:
    """Leads, activities and events as another connection sees them: what is committed."""
    with db.engine.connect() as other:
        return tuple(
            other.execute(db.select(db.func.count()).select_from(model)).scalar_one()
            for model in (Lead, LeadActivity, Event)
        )


ANA = {"full_name": "Ana Diaz", "email": "ana@example.com", "source": "website"}


@pytest.mark.postgres  # on_its_own saves PostgreSQL round trips; elsewhere a no-op
def test_a_lead_on_its_own_is_committed_whole_by_its_one_statement(db, factory):
    workspace_id = factory.workspace().id
    db.session.close()  # nothing else going on in this session
    result = create_lead(db.session, workspace_id, ANA, on_its_own=True)
    assert result.created
    assert _stored_elsewhere(db) == (1, 1, 1)  # before any commit of the caller's
    db.session.rollback()
    assert _stored_elsewhere(db) == (1, 1, 1)


@pytest.mark.postgres  # on_its_own saves PostgreSQL round trips; elsewhere a no-op
def test_on_its_own_waits_for_the_caller_when_the_session_is_busy(db, factory):
    workspace = factory.workspace()
    assert workspace.name  # the session has begun a transaction
    create_lead(db.session, workspace.id, ANA, on_its_own=True)
    assert _stored_elsewhere(db) == (0, 0, 0)
    db.session.rollback()
    assert _stored_elsewhere(db) == (0, 0, 0)


@pytest.mark.postgres  # on_its_own saves PostgreSQL round trips; elsewhere a no-op
def test_a_duplicate_after_on_its_own_changes_nothing_until_the_caller_commits(db, factory):
    workspace_id = factory.workspace().id
    db.session.close()
    create_lead(db.session, workspace_id, ANA, on_its_own=True)
    db.session.close()
    again = create_lead(
        db.session,
        workspace_id,
        {**ANA, "email": " ANA@example.com", "company_name": "Initech"},
        on_its_own=True,
    )
    assert not again.created and again.filled == ["company_name"]
    db.session.flush()
    assert _stored_elsewhere(db) == (1, 1, 1)  # the fill-in and its activity wait
    db.session.rollback()
    db.session.expire_all()
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert lead.company_name is None
    assert _stored_elsewhere(db) == (1, 1, 1)
