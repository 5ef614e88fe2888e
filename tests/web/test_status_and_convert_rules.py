"""The status and conversion rules QA pinned down: closed_at, notes kept, one account."""

import pytest

from tests.factories import signed_in
from tests.helpers import activities
from webapp.models import Event, Lead
from webapp.models.crm import Account


@pytest.fixture()
def desk(client, factory):
    workspace, user = signed_in(client, factory, name="Ada Admin")
    return workspace, user


def status_events(db):
    return (
        db.session.execute(db.select(Event).where(Event.event_type == "LeadStatusChanged"))
        .scalars()
        .all()
    )


def accounts(db, workspace):
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(Account).where(Account.workspace_id == workspace.id).order_by(Account.name)
        )
        .scalars()
        .all()
    )


def convert(client, db, lead) -> Account | None:
    """Convert over HTTP; the account the lead was converted to."""
    assert client.htmx("post", f"/leads/{lead.id}/convert").status_code == 200
    db.session.expire_all()
    converted = db.session.get(Lead, lead.id)
    assert converted.converted_at is not None
    account_id = converted.converted_account_id
    return db.session.get(Account, account_id) if account_id else None


# closed_at: set on closing, cleared on reopening, kept on archiving or rejecting


@pytest.mark.parametrize("closed,parked", [("closed_won", "archived"), ("closed_lost", "rejected")])
def test_parking_a_closed_lead_on_the_status_bar_keeps_closed_at(
    client, db, factory, desk, closed, parked
):
    workspace, _ = desk
    lead = factory.lead(workspace)
    client.htmx("post", f"/leads/{lead.id}/status", data={"status": closed})
    db.session.expire_all()
    closed_at = db.session.get(Lead, lead.id).closed_at
    assert closed_at is not None

    response = client.htmx("post", f"/leads/{lead.id}/status", data={"status": parked})
    assert response.status_code == 200
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.status == parked and lead.closed_at == closed_at

    client.htmx("post", f"/leads/{lead.id}/status", data={"status": "contacted"})  # reopened
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.status == "contacted" and lead.closed_at is None


def test_archiving_an_open_lead_leaves_closed_at_empty(client, db, factory, desk):
    workspace, _ = desk
    lead = factory.lead(workspace)
    client.htmx("post", f"/leads/{lead.id}/status", data={"status": "archived"})
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.status == "archived" and lead.closed_at is None


def test_bulk_archive_and_set_status_keep_closed_at(client, db, factory, desk):
    workspace, _ = desk
    won, lost = factory.lead(workspace), factory.lead(workspace)
    client.htmx("post", f"/leads/{won.id}/status", data={"status": "closed_won"})
    client.htmx("post", f"/leads/{lost.id}/status", data={"status": "closed_lost"})
    db.session.expire_all()
    won_at = db.session.get(Lead, won.id).closed_at
    lost_at = db.session.get(Lead, lost.id).closed_at
    assert won_at is not None and lost_at is not None

    client.post_form("/leads/bulk", {"action": "archive", "lead_id": [str(won.id)]})
    client.post_form(
        "/leads/bulk", {"action": "status", "status": "rejected", "lead_id": [str(lost.id)]}
    )
    db.session.expire_all()
    won, lost = db.session.get(Lead, won.id), db.session.get(Lead, lost.id)
    assert (won.status, won.closed_at) == ("archived", won_at)
    assert (lost.status, lost.closed_at) == ("rejected", lost_at)

    client.post_form(
        "/leads/bulk",
        {"action": "status", "status": "qualified", "lead_id": [str(won.id), str(lost.id)]},
    )
    db.session.expire_all()
    assert [db.session.get(Lead, lead.id).closed_at for lead in (won, lost)] == [None, None]


# A note sent with the current status is kept as a note


def test_a_note_with_the_current_status_is_kept_as_a_note(client, db, factory, desk):
    workspace, user = desk
    lead = factory.lead(workspace, status="contacted")
    response = client.htmx(
        "post",
        f"/leads/{lead.id}/status",
        data={"status": "contacted", "note": "  Left a <voicemail>  "},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Note added" in html and "Left a &lt;voicemail&gt;" in html  # on the timeline

    (note,) = activities(db, lead, "note_added")
    assert note.description == "Left a <voicemail>" and note.performed_by_id == user.id
    assert activities(db, lead, "status_changed") == [] and status_events(db) == []
    assert db.session.get(Lead, lead.id).status == "contacted"


def test_without_javascript_the_kept_note_is_flashed_and_shown(client, db, factory, desk):
    workspace, _ = desk
    lead = factory.lead(workspace)
    response = client.post_form(
        f"/leads/{lead.id}/status", {"status": "new", "note": "Try again in May"}
    )
    assert response.status_code == 302
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "note added" in html and "Try again in May" in html
    assert len(activities(db, lead, "note_added")) == 1
    assert activities(db, lead, "status_changed") == []


def test_the_current_status_without_a_note_records_nothing(client, db, factory, desk):
    workspace, _ = desk
    lead = factory.lead(workspace)
    response = client.htmx("post", f"/leads/{lead.id}/status", data={"status": "new", "note": " "})
    assert response.status_code == 200
    assert activities(db, lead, "note_added") == activities(db, lead, "status_changed") == []
    assert status_events(db) == []


def test_a_note_with_a_new_status_stays_on_the_status_change(client, db, factory, desk):
    workspace, _ = desk
    lead = factory.lead(workspace)
    client.htmx("post", f"/leads/{lead.id}/status", data={"status": "contacted", "note": "Rang"})
    (change,) = activities(db, lead, "status_changed")
    assert change.data["note"] == "Rang" and activities(db, lead, "note_added") == []


def test_a_too_long_note_with_the_current_status_is_refused(client, db, factory, desk):
    workspace, _ = desk
    lead = factory.lead(workspace)
    response = client.htmx(
        "post", f"/leads/{lead.id}/status", data={"status": "new", "note": "x" * 10_001}
    )
    assert response.status_code == 422
    assert activities(db, lead, "note_added") == []


# Conversion: one account per company, with or without a company domain


def test_leads_at_a_company_without_a_domain_share_the_email_domain_account(
    client, db, factory, desk
):
    workspace, _ = desk
    first = factory.lead(workspace, email="conv3@initech.com", company_name="Initech")
    second = factory.lead(workspace, email="conv4@initech.com", company_name="Initech")
    account = convert(client, db, first)
    assert (account.name, account.domain) == ("Initech", "initech.com")
    assert convert(client, db, second).id == account.id
    assert len(accounts(db, workspace)) == 1


def test_a_business_email_links_to_the_account_of_a_lead_with_that_domain(
    client, db, factory, desk
):
    workspace, _ = desk
    with_domain = factory.lead(
        workspace,
        email="ceo@initech.com",
        company_name="Initech",
        company_domain="initech.com",
    )
    without = factory.lead(workspace, email="dev@initech.com", company_name="Initech Corp")
    account = convert(client, db, with_domain)
    assert convert(client, db, without).id == account.id
    on_a_subdomain = factory.lead(workspace, email="bill@mail.initech.com", company_name="Initech")
    assert convert(client, db, on_a_subdomain).id == account.id
    # And the other way round: an account made from a subdomain's email first.
    globex_mail = factory.lead(workspace, email="bill@mail.globex.com", company_name="Globex")
    globex = factory.lead(workspace, email="a@globex.com", company_name="Globex")
    first = convert(client, db, globex_mail)
    assert first.domain == "mail.globex.com"
    assert convert(client, db, globex).id == first.id
    # A company domain given as such is that company's, not its parent's.
    subsidiary = factory.lead(
        workspace,
        email="eu@initech.com",
        company_name="Initech EU",
        company_domain="eu.initech.com",
    )
    assert convert(client, db, subsidiary).domain == "eu.initech.com"


@pytest.mark.parametrize(
    "email", ["pat@gmail.com", "pat@yahoo.co.uk", "pat@gmx.de", "pat@proton.me", "pat@outlook.com"]
)
def test_free_mail_leads_match_the_account_by_company_name(client, db, factory, desk, email):
    workspace, _ = desk
    first = factory.lead(workspace, email=email, company_name="Globex")
    second = factory.lead(workspace, email="sam@hotmail.com", company_name="  gLOBEX ")
    account = convert(client, db, first)
    assert (account.name, account.domain) == ("Globex", None)
    assert convert(client, db, second).id == account.id
    assert len(accounts(db, workspace)) == 1


def test_a_free_mail_lead_links_to_the_named_account_that_has_a_domain(client, db, factory, desk):
    workspace, _ = desk
    staff = factory.lead(workspace, email="joan@initech.com", company_name="Initech")
    freelancer = factory.lead(workspace, email="joan.home@gmail.com", company_name="initech")
    account = convert(client, db, staff)
    assert convert(client, db, freelancer).id == account.id
    assert account.domain == "initech.com"


def test_a_domainless_account_takes_the_domain_of_the_next_lead_rather_than_a_twin(
    client, db, factory, desk
):
    workspace, _ = desk
    early = factory.lead(workspace, email="lee@gmail.com", company_name="Hooli")
    later = factory.lead(workspace, email="kim@hooli.com", company_name="Hooli")
    account = convert(client, db, early)
    assert account.domain is None
    assert convert(client, db, later).id == account.id
    (only,) = accounts(db, workspace)
    assert only.domain == "hooli.com"


def test_different_companies_get_different_accounts(client, db, factory, desk):
    workspace, _ = desk
    first = factory.lead(workspace, email="a@gmail.com", company_name="Initech")
    second = factory.lead(workspace, email="b@gmail.com", company_name="Initrode")
    assert convert(client, db, first).id != convert(client, db, second).id


def test_a_person_known_only_by_a_business_email_converts_to_a_contact_alone(
    client, db, factory, desk
):
    workspace, _ = desk
    lead = factory.lead(workspace, email="solo@initech.com")
    assert convert(client, db, lead) is None
    assert accounts(db, workspace) == []


def test_matching_stays_inside_the_workspace(client, db, factory, desk):
    workspace, _ = desk
    other = factory.workspace()
    db.session.add_all(
        [
            Account(workspace_id=other.id, name="Initech", domain="initech.com"),
            Account(workspace_id=other.id, name="Globex"),
        ]
    )
    db.session.commit()
    by_domain = factory.lead(workspace, email="x@initech.com", company_name="Initech")
    by_name = factory.lead(workspace, email="y@gmail.com", company_name="Globex")
    mine = {convert(client, db, by_domain).id, convert(client, db, by_name).id}
    assert {a.id for a in accounts(db, workspace)} == mine and len(mine) == 2
    assert len(accounts(db, other)) == 2
