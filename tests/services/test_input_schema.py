"""The one input schema: each rule gives the same answer whichever way a lead comes in.

The ways in: the capture API (POST /api/v1/leads), the hosted form (/f/<key>), the
New lead form, and an inline edit on the lead page. Each rule is checked once
against the schema itself (services/leads/input.py) and then through every way
that takes the field.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests.factories import signed_in
from webapp.models import Lead
from webapp.models.forms import CaptureForm
from webapp.services.errors import NUL_REASON, ValidationFailed
from webapp.services.leads.input import (
    EMAIL_REASON,
    FIELD_LIMITS,
    NEEDED,
    PHONE_REASON,
    clean_lead_fields,
    clean_new_lead,
    clean_note,
    clean_tag_names,
)

# Capture names two fields its own way: one box for the name, "company".
CAPTURE_NAMES = {"full_name": "name", "company_name": "company"}
CAPTURED = {"name": "Ada Lovelace", "email": "ada@example.com"}


@pytest.fixture()
def ways(client, db, factory):
    workspace, user = signed_in(client, factory, role="rep")
    form = CaptureForm(workspace_id=workspace.id, name="Contact us")
    db.session.add(form)
    lead = factory.lead(
        workspace, full_name="Lou Lane", first_name=None, last_name=None, email="lou@example.com"
    )
    return Ways(client, db, form, lead)


class Ways:
    """Send one field's value in every way that takes it; collect what each answered."""

    def __init__(self, client, db, form, lead):
        self.client, self.db, self.form, self.lead = client, db, form, lead

    def capture_api(self, field, value):
        name = CAPTURE_NAMES.get(field, field)
        response = self.client.post(
            "/api/v1/leads",
            json={**CAPTURED, name: value},
            headers={"X-Form-Key": self.form.public_key},
        )
        reasons = (response.get_json().get("errors") or {}).get(name) or [None]
        return response.status_code, reasons[0]

    def hosted_form(self, field, value):
        name = CAPTURE_NAMES.get(field, field)
        loaded_at = str(int((time.time() - 60) * 1000))  # a person took a minute to fill it in
        data = {**CAPTURED, name: value, "_ts": loaded_at}
        response = self.client.post(f"/f/{self.form.public_key}", data=data)
        return response.status_code, response.get_data(as_text=True)

    def new_lead(self, field, value):
        data = {"type": "person", "source": "other", "priority": "low", "last_name": "Ng"}
        response = self.client.post_form("/leads/new", {**data, field: value})
        return response.status_code, response.get_data(as_text=True)

    def edit(self, field, value):
        response = self.client.htmx(
            "post", f"/leads/{self.lead.id}/fields/{field}", data={"value": value}
        )
        return response.status_code, response.get_data(as_text=True)

    def refused_everywhere(self, field, value, reason, capture=True):
        """Every way refuses `value` for `field` with `reason` and stores nothing new."""
        leads_before = self.leads()
        if capture:
            assert self.capture_api(field, value) == (422, reason)
            status, page = self.hosted_form(field, value)
            assert status == 422 and str(escape(reason)) in page
        for send in (self.new_lead, self.edit):
            status, page = send(field, value)
            assert status == 422, send.__name__
            assert str(escape(reason)) in page, send.__name__
        assert self.leads() == leads_before
        self.db.session.expire_all()
        assert getattr(self.db.session.get(Lead, self.lead.id), field) != value

    def stored_everywhere(self, field, value, expected, capture=True):
        """Every way stores `value` for `field` as `expected`."""
        stored = []
        if capture:
            stored.append(self._captured(field, value, self.capture_api))
            stored.append(self._captured(field, value, self.hosted_form))
        status, _ = self.new_lead(field, value)
        assert status == 302
        stored.append(self._newest_value(field, delete=True))  # its email is free again
        assert self.edit(field, value)[0] == 200
        self.db.session.expire_all()
        stored.append(getattr(self.db.session.get(Lead, self.lead.id), field))
        assert stored == [expected] * len(stored)

    def _captured(self, field, value, send):
        self.db.session.execute(sa.delete(Lead).where(Lead.email == CAPTURED["email"]))
        self.db.session.commit()
        status, _ = send(field, value)
        assert status in (200, 201, 303), send.__name__
        return self._newest_value(field)

    def _newest_value(self, field, delete=False):
        self.db.session.expire_all()
        newest = self.db.session.execute(
            sa.select(Lead).order_by(Lead.created_at.desc(), Lead.id).limit(1)
        ).scalar_one()
        value = getattr(newest, field)
        if delete:
            self.db.session.delete(newest)
            self.db.session.commit()
        return value

    def leads(self) -> int:
        self.db.session.expire_all()
        return self.db.session.execute(sa.select(sa.func.count()).select_from(Lead)).scalar_one()


def reason_of(field, value) -> str:
    with pytest.raises(ValidationFailed) as refused:
        clean_lead_fields({field: value})
    return refused.value.errors[field]


def test_a_malformed_email_is_refused_alike(ways):
    reason = reason_of("email", "not-an-email")
    assert "@" in reason  # email_validator's own words
    ways.refused_everywhere("email", "not-an-email", reason)


def test_an_email_over_its_limit_is_refused_alike(ways):
    too_long = "a" * 250 + "@example.com"
    assert reason_of("email", too_long) == EMAIL_REASON
    assert str(FIELD_LIMITS["email"]) in EMAIL_REASON
    ways.refused_everywhere("email", too_long, EMAIL_REASON)


def test_an_email_is_trimmed_and_its_domain_lower_cased_alike(ways):
    assert clean_lead_fields({"email": " Ann@Example.COM "}) == {"email": "Ann@example.com"}
    # Capture keeps the form's own email; this checks the stored value the other ways.
    ways.stored_everywhere("email", " Nora@Example.COM ", "Nora@example.com", capture=False)
    assert ways.capture_api("email", " Ada@Example.COM ")[0] == 201
    assert ways._newest_value("email") == "Ada@example.com"


def test_a_phone_is_stored_in_e164_alike(ways):
    assert clean_lead_fields({"phone": "(415) 555-0199"}) == {"phone": "+14155550199"}
    ways.stored_everywhere("phone", "(415) 555-0199", "+14155550199")


def test_a_phone_that_is_not_one_is_refused_alike(ways):
    reason = reason_of("phone", "12")
    assert reason == "is not a possible phone number"
    ways.refused_everywhere("phone", "12", reason)


def test_a_phone_over_its_limit_is_refused_alike(ways):
    too_long = "1" * (FIELD_LIMITS["phone"] + 1)
    assert reason_of("phone", too_long) == PHONE_REASON
    ways.refused_everywhere("phone", too_long, PHONE_REASON)


def test_text_over_its_limit_is_refused_alike(ways):
    too_long = "x" * (FIELD_LIMITS["job_title"] + 1)
    reason = reason_of("job_title", too_long)
    assert reason == f"must be at most {FIELD_LIMITS['job_title']} characters"
    ways.refused_everywhere("job_title", too_long, reason)


def test_text_at_its_limit_is_kept_whole_and_trimmed_alike(ways):
    longest = "C" * FIELD_LIMITS["company_name"]
    ways.stored_everywhere("company_name", f"  {longest} ", longest)


def test_a_nul_character_is_refused_alike(ways):
    assert reason_of("company_name", "Ac\x00me") == NUL_REASON
    ways.refused_everywhere("company_name", "Ac\x00me", NUL_REASON)


def test_text_must_be_text_in_json(ways):
    assert reason_of("job_title", 12) == "must be text"
    assert ways.capture_api("job_title", 12) == (422, "must be text")
    assert ways.capture_api("email", 12) == (422, EMAIL_REASON)
    assert ways.capture_api("phone", ["+14155550199"]) == (422, PHONE_REASON)


def test_a_domain_is_stored_bare_alike(ways):
    assert clean_lead_fields({"company_domain": "https://www.Acme.com/about"}) == {
        "company_domain": "acme.com"
    }
    ways.stored_everywhere(
        "company_domain", "https://www.Acme.com/about", "acme.com", capture=False
    )


def test_a_web_address_of_another_scheme_is_refused_alike(ways):
    reason = reason_of("website", "javascript:alert(1)")
    assert reason.startswith("must be a web address")
    ways.refused_everywhere("website", "javascript:alert(1)", reason, capture=False)


def test_a_lead_needs_a_name_company_email_phone_website_linkedin_or_domain():
    for field, value in (
        ("first_name", "Ann"),
        ("company_name", "Acme"),
        ("company_domain", "acme.com"),
        ("email", "ann@acme.com"),
        ("phone", "+14155550199"),
        ("website", "acme.com"),
        ("linkedin_url", "https://www.linkedin.com/in/ann"),
    ):
        assert clean_new_lead({field: value})[field]
    with pytest.raises(ValidationFailed) as refused:
        clean_new_lead({"city": "Oslo", "industry": "Fishing"})
    assert refused.value.errors == {"name": f"A lead needs {NEEDED}."}


def test_the_needs_rule_is_the_same_on_the_new_lead_form_and_inline(ways, client):
    status, page = ways.new_lead("city", "Oslo")  # the fixture's last name counts...
    assert status == 302
    response = client.post_form(
        "/leads/new", {"type": "person", "source": "other", "priority": "low", "city": "Oslo"}
    )
    assert response.status_code == 422
    assert f"A lead needs {NEEDED}." in response.get_data(as_text=True)
    # Inline: emptying the last field a lead is known by is refused with the same list.
    ways.edit("email", "")
    status, page = ways.edit("full_name", "")
    assert status == 422 and f"a lead needs {NEEDED}" in page
    # Capture asks for more than the rule: a name and an email.
    assert ways.capture_api("email", "") == (422, "is required")


def test_timeline_texts_share_the_note_limit(ways, client, db):
    too_long = "n" * (FIELD_LIMITS["note"] + 1)
    reason = f"must be at most {FIELD_LIMITS['note']} characters"
    for field in ("note", "summary", "description", "notes"):
        with pytest.raises(ValidationFailed) as refused:
            clean_note(too_long, field)
        assert refused.value.errors == {field: reason}
    lead = ways.lead
    for url, data in (
        (f"/leads/{lead.id}/notes", {"note": too_long}),
        (f"/leads/{lead.id}/contacts", {"channel": "call", "summary": too_long}),
        (f"/leads/{lead.id}/status", {"status": "contacted", "note": too_long}),
    ):
        response = client.htmx("post", url, data=data)
        assert response.status_code == 422 and reason in response.get_data(as_text=True), url


def test_tags_share_one_limit_and_shape(ways, client):
    assert clean_tag_names(" VIP,  big   deal ,vip") == ["vip", "big deal"]
    too_long = "t" * (FIELD_LIMITS["tags"] + 1)
    reason = f"each tag must be at most {FIELD_LIMITS['tags']} characters"
    with pytest.raises(ValidationFailed) as refused:
        clean_tag_names([too_long])
    assert refused.value.errors == {"tags": reason}
    status, page = ways.new_lead("tags", too_long)
    assert status == 422 and reason in page
    response = client.htmx("post", f"/leads/{ways.lead.id}/tags", data={"add": too_long})
    assert response.status_code == 422 and reason in response.get_data(as_text=True)


def test_limits_match_the_columns_they_are_stored_in():
    columns = Lead.__table__.c
    for field, limit in FIELD_LIMITS.items():
        if field in columns and getattr(columns[field].type, "length", None):
            stored = columns[field].type.length
            # A phone is typed with spaces and dashes; it is stored as E.164 (15 digits).
            assert limit == stored or field == "phone", field
