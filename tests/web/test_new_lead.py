"""The New lead form: validation next to fields, dedupe by email."""

from tests.factories import signed_in
from webapp.models import Lead, LeadActivity


def test_create_a_lead(client, db, factory):
    workspace, user = signed_in(client, factory)
    response = client.post_form(
        "/leads/new",
        {
            "type": "person",
            "first_name": "Nora",
            "last_name": "Ng",
            "email": " Nora@Example.com ",
            "phone": "(415) 555-0199",
            "company_name": "Umbrella",
            "source": "referral",
            "priority": "high",
            "tags": "event, vip",
        },
    )
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert response.headers["Location"] == f"/leads/{lead.id}"
    assert (lead.email, lead.phone, lead.priority) == ("Nora@example.com", "+14155550199", "high")
    assert sorted(t.name for t in lead.tags) == ["event", "vip"]
    activity = db.session.execute(db.select(LeadActivity)).scalar_one()
    assert activity.activity_type == "created" and activity.performed_by_id == user.id


def test_invalid_fields_are_shown_next_to_them(client, db, factory):
    signed_in(client, factory)
    response = client.post_form(
        "/leads/new",
        {
            "first_name": "X",
            "email": "not-an-email",
            "phone": "12",
            "source": "other",
            "type": "person",
            "priority": "low",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="e-email" class="field-error"' in page and 'id="e-phone" class="field-error"' in page
    assert 'value="not-an-email"' in page
    assert db.session.execute(db.select(Lead)).scalar() is None


def test_a_blank_form_creates_nothing_and_says_what_is_missing(client, db, factory):
    signed_in(client, factory)
    blank = {"source": "other", "type": "person", "priority": "low", "city": "Oslo"}
    response = client.post_form("/leads/new", blank)
    assert response.status_code == 422
    assert (
        "A lead needs a name, company, company domain, email, phone, website or LinkedIn URL."
        in (response.get_data(as_text=True))
    )
    assert db.session.execute(db.select(Lead)).scalar() is None
    assert client.post_form("/leads/new", {**blank, "phone": "+14155550101"}).status_code == 302


def test_same_email_updates_the_existing_lead(client, db, factory):
    workspace, _ = signed_in(client, factory)
    existing = factory.lead(workspace, email="dup@example.com", job_title=None)
    response = client.post_form(
        "/leads/new",
        {
            "first_name": "Dup",
            "email": "DUP@example.com",
            "job_title": "CFO",
            "type": "person",
            "source": "other",
            "priority": "medium",
            "tags": "expo-2026",
        },
        follow_redirects=True,
    )
    assert "already existed; it was updated (job title; tags expo-2026)" in response.get_data(
        as_text=True
    )
    assert db.session.execute(db.select(db.func.count()).select_from(Lead)).scalar_one() == 1
    db.session.refresh(existing)
    assert existing.job_title == "CFO"


def test_inline_validation_endpoint(client, db, factory):
    workspace, _ = signed_in(client, factory)
    lead = factory.lead(workspace, full_name="Taken Person", email="taken@example.com")
    bad = client.htmx("post", "/leads/new/validate", data={"field": "phone", "phone": "abc"})
    assert "field-error" in bad.get_data(as_text=True)
    good = client.htmx(
        "post", "/leads/new/validate", data={"field": "phone", "phone": "+442079460958"}
    )
    assert "field-error" not in good.get_data(as_text=True)
    taken = client.htmx(
        "post", "/leads/new/validate", data={"field": "email", "email": "Taken@example.com"}
    )
    assert f"/leads/{lead.id}" in taken.get_data(as_text=True)
    assert client.htmx("post", "/leads/new/validate", data={"field": "password"}).status_code == 204


def test_the_form_names_the_lead_and_shows_its_notes(client, db, factory):
    signed_in(client, factory)
    response = client.post_form(
        "/leads/new",
        {
            "type": "person",
            "first_name": "Nora",
            "last_name": "Ng",
            "email": "nora@example.com",
            "source": "other",
            "priority": "medium",
            "notes": "Met at the fair; call after <Easter>",
        },
        follow_redirects=True,
    )
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert lead.full_name == "Nora Ng"
    page = response.get_data(as_text=True)
    full_name = page[page.index('id="field-full_name"') :]
    assert full_name[: full_name.index("</dd>")].count("Nora Ng") == 1
    notes = page[page.index('id="field-notes"') :]
    assert "Met at the fair; call after &lt;Easter&gt;" in notes[: notes.index("</dd>")]
