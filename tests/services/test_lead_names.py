"""A lead's name: full name from first and last name, and what is shown when it has none."""

import pytest

from webapp.models import LeadActivity
from webapp.models.leads import name_shown
from webapp.services.leads.edit import full_name_of, update_field
from webapp.services.leads.filters import LeadFilter
from webapp.services.leads.my_leads import page_of_leads
from webapp.services.leads.new_lead import create_from_form


@pytest.mark.parametrize(
    "first,last,full",
    [
        ("Ada", "Lovelace", "Ada Lovelace"),
        (" Ada ", None, "Ada"),
        (None, "Lovelace", "Lovelace"),
        ("", "  ", None),
        ("Mary  Ann", "Evans", "Mary Ann Evans"),
    ],
)
def test_full_name_of(first, last, full):
    assert full_name_of(first, last) == full


def test_a_made_up_full_name_follows_first_and_last(db, factory):
    lead = factory.lead(
        factory.workspace(), first_name="Edward", last_name="Ramsey", full_name="Edward Ramsey"
    )
    assert update_field(db.session, lead, "first_name", "Edwardo", None) == [
        "first_name",
        "full_name",
    ]
    assert lead.full_name == "Edwardo Ramsey"
    assert update_field(db.session, lead, "last_name", "", None) == ["last_name", "full_name"]
    assert (lead.last_name, lead.full_name, lead.display_name) == (None, "Edwardo", "Edwardo")
    db.session.commit()
    activity = (
        db.session.execute(
            db.select(LeadActivity)
            .where(LeadActivity.lead_id == lead.id, LeadActivity.activity_type == "updated")
            .order_by(LeadActivity.created_at.desc())
        )
        .scalars()
        .first()
    )
    assert activity.data["full_name"] == {"old": "Edwardo Ramsey", "new": "Edwardo"}


def test_an_empty_full_name_is_filled_and_a_typed_one_kept(db, factory):
    workspace = factory.workspace()
    company = factory.lead(workspace, first_name=None, last_name=None, company_name="Acme")
    update_field(db.session, company, "last_name", "Ng", None)
    assert company.full_name == "Ng"

    typed = factory.lead(workspace, first_name="Edward", last_name="Ramsey", full_name="Ted R.")
    assert update_field(db.session, typed, "first_name", "Ted", None) == ["first_name"]
    assert typed.full_name == "Ted R."
    # Cleared, the full name is the one first and last name make, not empty.
    update_field(db.session, typed, "full_name", " ", None)
    assert typed.full_name == "Ted Ramsey"


def test_the_form_stores_the_full_name(db, factory):
    workspace = factory.workspace()
    form = {"type": "person", "first_name": " Nora", "last_name": "Ng ", "full_name": ""}
    created = create_from_form(db.session, workspace.id, {**form, "email": "n@x.io"}, None)
    assert created.lead.full_name == "Nora Ng"
    typed = create_from_form(
        db.session, workspace.id, {**form, "full_name": "Dr Nora Ng", "email": "d@x.io"}, None
    )
    assert typed.lead.full_name == "Dr Nora Ng"


def test_the_form_on_a_duplicate_names_it_from_its_own_parts(db, factory):
    workspace = factory.workspace()
    existing = factory.lead(workspace, first_name="Ann", last_name="Lee", email="a@x.io")
    existing.full_name = None  # stored before full names were kept
    db.session.commit()
    result = create_from_form(
        db.session,
        workspace.id,
        {"first_name": "Someone", "last_name": "Else", "full_name": "", "email": "A@x.io"},
        None,
    )
    assert not result.created and result.lead.id == existing.id
    assert existing.full_name == "Ann Lee"


@pytest.mark.parametrize(
    "full,first,last,company,email,phone,shown",
    [
        ("Ada Lovelace", "Ada", "L", "Acme", "a@x.io", "+14155550199", "Ada Lovelace"),
        (None, "Ada", None, "Acme", "a@x.io", "+14155550199", "Ada"),
        ("", None, None, "Acme", "a@x.io", "+14155550199", "Acme"),
        (None, None, None, None, "a@x.io", "+14155550199", "a@x.io"),
        (None, None, None, "", "", "+14155550199", "+14155550199"),
        (None, None, None, None, None, None, "(unnamed lead)"),
    ],
)
def test_the_phone_is_the_last_name_before_unnamed(full, first, last, company, email, phone, shown):
    assert name_shown(full, first, last, company, email, phone) == shown


def test_a_lead_with_only_a_phone_is_named_by_it_on_its_page_and_in_my_leads(db, factory):
    workspace = factory.workspace()
    user = factory.user(workspace)
    lead = factory.lead(
        workspace, first_name=None, last_name=None, email=None, phone="(415) 555-0199"
    )
    assert lead.display_name == "+14155550199"
    rows = page_of_leads(db.session, LeadFilter(), workspace.id, user.id).leads
    assert [row.display_name for row in rows] == ["+14155550199"]


def test_the_name_sort_places_a_phone_only_lead_by_its_phone(db, factory):
    workspace = factory.workspace()
    user = factory.user(workspace)
    factory.lead(workspace, first_name="Zed", last_name=None, email="zed@example.com")
    factory.lead(workspace, first_name=None, last_name=None, email=None, phone="+14155550199")
    factory.lead(workspace, first_name=None, last_name=None, email=None, company_name="#1 Plumbing")
    # "#" < "+" < "Z": a lead with no sort name at all would come first or last instead.
    rows = page_of_leads(
        db.session, LeadFilter(sort="name", direction="asc"), workspace.id, user.id
    )
    assert [row.display_name for row in rows.leads] == ["#1 Plumbing", "+14155550199", "Zed"]


@pytest.mark.parametrize(
    "field,value,shown",
    [
        ("company_domain", "initech.example", "initech.example"),
        ("website", "https://initech.example/about", "https://initech.example/about"),
        ("linkedin_url", "https://linkedin.com/in/bill", "https://linkedin.com/in/bill"),
    ],
)
def test_a_lead_known_by_a_web_address_alone_is_named_by_it(db, factory, field, value, shown):
    workspace = factory.workspace()
    user = factory.user(workspace)
    lead = factory.lead(workspace, first_name=None, last_name=None, email=None, **{field: value})
    assert lead.display_name == shown
    rows = page_of_leads(db.session, LeadFilter(sort="name"), workspace.id, user.id).leads
    assert [row.display_name for row in rows] == [shown]
