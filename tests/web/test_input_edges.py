"""Odd input a user can type: clear 4xx answers or sensible results, never a 500."""

import pytest

from tests.factories import signed_in
from webapp.models import Lead, LeadList, Tag


@pytest.fixture()
def admin(client, factory):
    workspace, user = signed_in(client, factory, role="admin")
    workspace.timezone = "Pacific/Kiritimati"  # UTC+14: the edges move a day
    factory.session.commit()
    return workspace, user


@pytest.mark.parametrize(
    "query",
    [
        "created_to=9999-12-31",
        "created_from=0001-01-01",
        "created_from=0001-01-01&created_to=9999-12-31",
        "created_from=9999-12-31",
    ],
)
def test_dates_at_the_calendar_edges(client, factory, admin, query):
    workspace, _ = admin
    factory.lead(workspace, first_name="Edgar", email="edgar@example.com")
    listed = client.get(f"/leads?{query}")
    assert listed.status_code == 200
    assert ("Edgar" in listed.get_data(as_text=True)) == ("created_from=9999" not in query)
    assert client.get(f"/leads/export.csv?{query}").status_code == 200
    bulk = client.post_form(f"/leads/bulk?{query}", {"action": "archive", "scope": "all"})
    assert bulk.status_code == 302


def test_audit_page_takes_edge_dates_and_any_page_number(client, factory, admin):
    for query in ("to=9999-12-31", "from=0001-01-01", "page=99999999999999999999", "page=-3"):
        assert client.get(f"/audit?{query}").status_code == 200, query


@pytest.mark.parametrize("value", ["NaN", "nan", "sNaN", "Infinity", "-inf"])
def test_revenue_must_be_a_number(client, db, factory, admin, value):
    lead = factory.lead(admin[0])
    response = client.htmx("post", f"/leads/{lead.id}/fields/revenue", data={"value": value})
    assert response.status_code == 422
    assert "must be a number" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).revenue is None


def test_tags_and_list_names_refuse_nul(client, db, factory, admin):
    workspace, _ = admin
    lead = factory.lead(workspace)
    page_tag = client.htmx("post", f"/leads/{lead.id}/tags", data={"add": "c\x00d"})
    assert page_tag.status_code == 422
    bulk_tag = client.post_form(
        "/leads/bulk",
        {"action": "add_tags", "tags": "a\x00b", "lead_id": str(lead.id)},
        follow_redirects=True,
    )
    assert "Tags: must not contain NUL characters" in bulk_tag.get_data(as_text=True)
    bulk_list = client.post_form(
        "/leads/bulk",
        {"action": "add_to_list", "list_name": "L\x00X", "lead_id": str(lead.id)},
        follow_redirects=True,
    )
    assert "New list: must not contain NUL characters" in bulk_list.get_data(as_text=True)
    new_lead = client.post_form(
        "/leads/new", {"first_name": "Nul", "email": "nul@example.com", "tags": "q\x00r"}
    )
    assert new_lead.status_code == 422
    db.session.expire_all()
    assert db.session.execute(db.select(Tag)).all() == []
    assert db.session.execute(db.select(LeadList)).all() == []
    assert db.session.execute(db.select(Lead).where(Lead.email == "nul@example.com")).all() == []


def test_the_last_identifying_field_cannot_be_emptied(client, db, factory, admin):
    lead = factory.lead(
        admin[0], first_name="Solo", last_name=None, email="solo@example.com", phone=None
    )
    assert (
        client.htmx("post", f"/leads/{lead.id}/fields/email", data={"value": ""}).status_code == 200
    )
    # Clearing the first name would take the full name with it: nothing would be left.
    refused = client.htmx("post", f"/leads/{lead.id}/fields/first_name", data={"value": ""})
    assert refused.status_code == 422
    message = "a lead needs a name, company, company domain, email, phone, website or LinkedIn URL"
    assert message in refused.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Lead, lead.id)
    assert (kept.first_name, kept.full_name, kept.email) == ("Solo", "Solo", None)
    # With a phone to go by, the name may go.
    client.htmx("post", f"/leads/{lead.id}/fields/phone", data={"value": "+1 415 555 0100"})
    cleared = client.htmx("post", f"/leads/{lead.id}/fields/first_name", data={"value": ""})
    assert cleared.status_code == 200


def test_bulk_errors_read_as_sentences(client, factory, admin):
    response = client.post_form(
        "/leads/bulk", {"action": "add_to_list"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nothing changed. Rows: select at least one lead." in response


def test_edge_dates_stay_as_typed_in_the_links(client, factory, admin):
    html = client.get(
        "/leads?created_from=0001-01-01&created_to=9999-12-31", headers={"HX-Request": "true"}
    )
    assert "created_from=0001-01-01" in html.headers["HX-Push-Url"]
    assert "created_to=9999-12-31" in html.headers["HX-Push-Url"]


def test_page_numbers_past_the_end_show_the_last_page(client, factory, admin):
    for n in range(30):
        factory.lead(admin[0], first_name=f"P{n}")
    for page in ("99999999999999999999", "50"):
        html = client.get(f"/leads?page={page}").get_data(as_text=True)
        assert "Page 2 of 2" in html, page
    assert client.get("/duplicates?page=99").status_code == 200


def test_bulk_on_all_matching_with_none_says_so(client, factory, admin):
    response = client.post_form(
        "/leads/bulk?q=nobody-matches", {"action": "archive", "scope": "all"}, follow_redirects=True
    )
    assert "Nothing changed. Rows: no leads match the filter." in response.get_data(as_text=True)


def test_the_new_lead_form_says_what_is_wrong_with_tags_and_notes(client, admin):
    for field, value, reason in (("tags", "x" * 65, "at most 64"), ("notes", "a\x00b", "NUL")):
        response = client.post_form(
            "/leads/new", {"first_name": "Tess", "email": "tess@example.com", field: value}
        )
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert f'id="e-{field}" class="field-error" role="alert">' in html, field
        assert reason in html
    sent_alone = client.post_form("/leads/new", {"full_name": "T" * 300})
    assert "Full name: must be at most" in sent_alone.get_data(as_text=True)


def test_company_sort_ignores_case_and_puts_blanks_last_going_up(db, factory, admin):
    from webapp.services.leads.filters import LeadFilter
    from webapp.services.leads.my_leads import page_of_leads

    workspace, user = admin
    for company in ("beta", "Alpha", None, "", "Gamma"):
        factory.lead(workspace, company_name=company)

    def companies(direction):
        lead_filter = LeadFilter(sort="company", direction=direction)
        rows = page_of_leads(db.session, lead_filter, workspace.id, user.id).leads
        return [row.company_name or "-" for row in rows]

    assert companies("asc") == ["Alpha", "beta", "Gamma", "-", "-"]
    assert companies("desc") == ["-", "-", "Gamma", "beta", "Alpha"]


def test_revenue_is_kept_to_the_cent_at_its_largest(client, db, factory, admin):
    lead = factory.lead(admin[0])
    saved = client.htmx(
        "post", f"/leads/{lead.id}/fields/revenue", data={"value": "9999999999999.99"}
    )
    assert saved.status_code == 200
    db.session.expire_all()
    assert str(db.session.get(Lead, lead.id).revenue) == "9999999999999.99"
    too_big = client.htmx(
        "post", f"/leads/{lead.id}/fields/revenue", data={"value": "9999999999999999.99"}
    )
    assert too_big.status_code == 422
    assert "must be at least 0 and under 10,000,000,000,000" in too_big.get_data(as_text=True)
    # Rounded to the cent first, as stored: it may not round up past the cap.
    rounds_over = client.htmx(
        "post", f"/leads/{lead.id}/fields/revenue", data={"value": "9999999999999.999"}
    )
    assert rounds_over.status_code == 422


def test_errors_name_their_field_once(client, factory, admin):
    made_from_parts = client.post_form(
        "/leads/new", {"first_name": "F" * 300, "email": "f@example.com"}
    ).get_data(as_text=True)
    assert 'id="e-first_name" class="field-error"' in made_from_parts
    assert "Full name:" not in made_from_parts  # the first name's box says it already
    lead = factory.lead(admin[0])
    bad_email = client.htmx("post", f"/leads/{lead.id}/fields/email", data={"value": "nope"})
    assert ">Email: " in bad_email.get_data(as_text=True)
    bad_status = client.htmx("post", f"/leads/{lead.id}/status", data={"status": "bogus"})
    assert ">Status: must be one of" in bad_status.get_data(as_text=True)


def test_exporting_a_page_past_the_end_exports_the_last_page(client, db, factory, admin):
    from webapp.models import AuditLog

    for n in range(30):
        factory.lead(admin[0], first_name=f"X{n}")
    body = client.get("/leads/export.csv?scope=page&page=500").get_data(as_text=True)
    assert len(body.strip().splitlines()) == 1 + 5  # header + the 5 leads of page 2
    audit = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "leads.exported")
    ).scalar_one()
    assert audit.details["scope"] == "page 2"
