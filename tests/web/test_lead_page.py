"""The lead page: inline edits, pipeline, work actions, timeline, conversion, isolation."""

import re
import uuid

import pytest

from tests.factories import signed_in
from webapp.models import (
    Campaign,
    CampaignLead,
    CoreCompany,
    Event,
    LeadActivity,
    LeadList,
    LeadListMember,
)
from webapp.models.crm import Account, Contact
from webapp.templating import format_datetime


@pytest.fixture()
def page(client, factory):
    workspace, user = signed_in(client, factory, role="rep", name="Rita Rep")
    lead = factory.lead(
        workspace,
        first_name="Lou",
        last_name="Lane",
        email="lou@daily.example.com",
        company_name="Daily Planet",
        company_domain="daily.example.com",
        job_title=None,
    )
    return workspace, user, lead


def kinds(db, lead):
    db.session.expire_all()
    return [
        a.activity_type
        for a in db.session.execute(
            db.select(LeadActivity)
            .where(LeadActivity.lead_id == lead.id)
            .order_by(LeadActivity.created_at.desc())
        ).scalars()
    ]


def test_page_shows_fields_origin_and_escaped_payload(client, db, factory, page):
    workspace, _, lead = page
    lead.search_query = "CTO <b>fintech</b>"
    lead.raw_data = {"note": "<script>alert(1)</script>", "score": 7}
    company = CoreCompany(domain="daily.example.com", name="Daily Planet Inc", industry="Media")
    db.session.add(company)
    db.session.flush()
    lead.core_company_id = company.id
    db.session.commit()
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Lou Lane" in html and "lou@daily.example.com" in html
    assert "CTO &lt;b&gt;fintech&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html and "\\u003cscript" in html
    assert "Raw source payload" in html and "Daily Planet Inc" in html and "Media" in html
    assert "Not in any list or campaign yet." in html


def test_a_captured_lead_names_its_form(client, db, page):
    _, _, lead = page
    lead.source_id = str(uuid.uuid4())
    lead.raw_data = {"form_id": lead.source_id, "form_name": "Contact <us>"}
    db.session.commit()
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Captured by the form <bdi>Contact &lt;us&gt;</bdi>" in html


def test_inline_edit_save_invalid_and_cancel(client, db, page):
    _, user, lead = page
    widget = client.htmx("get", f"/leads/{lead.id}/fields/job_title/edit")
    assert 'name="value"' in widget.get_data(as_text=True)
    saved = client.htmx("post", f"/leads/{lead.id}/fields/job_title", data={"value": "Editor"})
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Editor" in body
    assert 'id="timeline" hx-swap-oob="true"' in body and "Job title changed" in body
    db.session.refresh(lead)
    assert lead.job_title == "Editor"
    activity = db.session.execute(
        db.select(LeadActivity).where(LeadActivity.activity_type == "updated")
    ).scalar_one()
    assert activity.data == {"field": "job_title", "old": None, "new": "Editor"}
    assert activity.performed_by_id == user.id

    bad = client.htmx("post", f"/leads/{lead.id}/fields/phone", data={"value": "call me"})
    assert bad.status_code == 422
    assert 'class="field-error"' in bad.get_data(as_text=True) and "call me" in bad.get_data(
        as_text=True
    )
    cancel = client.htmx("get", f"/leads/{lead.id}/fields/phone")
    assert 'name="value"' not in cancel.get_data(as_text=True)
    script = "javascript:alert(1)"
    refused = client.htmx("post", f"/leads/{lead.id}/fields/website", data={"value": script})
    assert refused.status_code == 422
    assert "must be a web address" in refused.get_data(as_text=True)
    assert client.htmx("get", f"/leads/{lead.id}/fields/workspace_id/edit").status_code == 404


def test_inline_edit_without_javascript(client, db, page):
    _, _, lead = page
    full = client.get(f"/leads/{lead.id}/fields/city/edit")
    assert "<html" in full.get_data(as_text=True) and 'id="edit-city"' in full.get_data(
        as_text=True
    )
    response = client.post_form(f"/leads/{lead.id}/fields/city", {"value": "Metropolis"})
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.city == "Metropolis"


def test_email_of_another_lead_is_refused(client, db, factory, page):
    workspace, _, lead = page
    factory.lead(workspace, full_name="Clark", email="clark@daily.example.com")
    response = client.htmx(
        "post", f"/leads/{lead.id}/fields/email", data={"value": "CLARK@daily.example.com"}
    )
    assert response.status_code == 422 and "already belongs" in response.get_data(as_text=True)
    client.htmx("post", f"/leads/{lead.id}/fields/email", data={"value": "lois@daily.example.com"})
    db.session.refresh(lead)
    assert (lead.email, lead.email_normalized) == (
        "lois@daily.example.com",
        "lois@daily.example.com",
    )


def test_status_rules(client, db, page):
    _, user, lead = page
    response = client.htmx(
        "post", f"/leads/{lead.id}/status", data={"status": "closed_won", "note": "signed"}
    )
    assert response.status_code == 200 and "Status changed" in response.get_data(as_text=True)
    db.session.refresh(lead)
    assert lead.status == "closed_won" and lead.closed_at is not None
    activity = db.session.execute(
        db.select(LeadActivity).where(LeadActivity.activity_type == "status_changed")
    ).scalar_one()
    assert activity.data["old_status"] == "new" and activity.data["new_status"] == "closed_won"
    assert activity.performed_by_id == user.id and "signed" in activity.description
    event = db.session.execute(
        db.select(Event).where(Event.event_type == "LeadStatusChanged")
    ).scalar_one()
    assert (event.payload["old_status"], event.payload["new_status"]) == ("new", "closed_won")
    client.post_form(f"/leads/{lead.id}/status", {"status": "qualified"})
    db.session.refresh(lead)
    assert lead.status == "qualified" and lead.closed_at is None
    bad = client.htmx("post", f"/leads/{lead.id}/status", data={"status": "sold"})
    assert bad.status_code == 422
    timeline = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "New → Closed won" in timeline and "closed_won" not in timeline.split('id="timeline"')[1]


def test_assignment(client, db, factory, page):
    workspace, user, lead = page
    response = client.htmx("post", f"/leads/{lead.id}/assign", data={"assigned_to": str(user.id)})
    assert "Assigned to Rita Rep" in response.get_data(as_text=True)
    db.session.refresh(lead)
    assert lead.assigned_to_id == user.id
    event = db.session.execute(
        db.select(Event).where(Event.event_type == "LeadAssigned")
    ).scalar_one()
    assert event.payload["assigned_to"] == str(user.id)
    stranger = factory.user(factory.workspace())
    refused = client.htmx(
        "post", f"/leads/{lead.id}/assign", data={"assigned_to": str(stranger.id)}
    )
    assert refused.status_code == 422
    db.session.refresh(lead)
    assert lead.assigned_to_id == user.id


def test_notes_contact_priority_and_tags(client, db, page):
    _, _, lead = page
    note = client.htmx("post", f"/leads/{lead.id}/notes", data={"note": "Wants a <demo>"})
    assert "Wants a &lt;demo&gt;" in note.get_data(as_text=True)
    assert client.htmx("post", f"/leads/{lead.id}/notes", data={"note": "  "}).status_code == 422
    contacted = client.htmx(
        "post", f"/leads/{lead.id}/contacts", data={"channel": "meeting", "summary": "Lunch"}
    ).get_data(as_text=True)
    db.session.refresh(lead)
    # The header comes along, with the new "Last activity".
    header = contacted.split('id="lead-header" hx-swap-oob="true">')[1]
    assert format_datetime(lead.last_activity_at) in header.split("</dl>")[0]
    client.htmx("post", f"/leads/{lead.id}/priority", data={"priority": "high"})
    client.htmx("post", f"/leads/{lead.id}/tags", data={"add": "Press, vip"})
    client.htmx("post", f"/leads/{lead.id}/tags", data={"remove": "press"})
    db.session.refresh(lead)
    assert lead.priority == "high" and [t.name for t in lead.tags] == ["vip"]
    assert lead.last_activity_at is not None
    assert kinds(db, lead)[:3] == ["updated", "updated", "updated"]
    assert "contacted" in kinds(db, lead) and "note_added" in kinds(db, lead)
    contact = db.session.execute(
        db.select(LeadActivity).where(LeadActivity.activity_type == "contacted")
    ).scalar_one()
    assert contact.description == "Meeting: Lunch" and contact.data == {"channel": "meeting"}


def test_timeline_is_newest_first(client, db, page):
    _, _, lead = page
    client.post_form(f"/leads/{lead.id}/notes", {"note": "first note"})
    client.post_form(f"/leads/{lead.id}/notes", {"note": "second note"})
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert html.index("second note") < html.index("first note") < html.index("Lead created")


def test_memberships_are_listed(client, db, page):
    workspace, _, lead = page
    lead_list = LeadList(workspace_id=workspace.id, name="Q4 push")
    campaign = Campaign(workspace_id=workspace.id, name="Winter calls")
    db.session.add_all([lead_list, campaign])
    db.session.flush()
    db.session.add_all(
        [
            LeadListMember(lead_list_id=lead_list.id, lead_id=lead.id),
            CampaignLead(campaign_id=campaign.id, lead_id=lead.id, attempts=2, status="contacted"),
        ]
    )
    db.session.commit()
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Q4 push" in html and "Winter calls" in html and "2 attempts" in html


def test_convert_creates_then_links(client, db, factory, page):
    workspace, _, lead = page
    response = client.htmx("post", f"/leads/{lead.id}/convert")
    assert "Converted" in response.get_data(as_text=True)
    db.session.refresh(lead)
    contact = db.session.get(Contact, lead.converted_contact_id)
    account = db.session.get(Account, lead.converted_account_id)
    assert (
        contact.email_normalized == "lou@daily.example.com"
        and account.domain == "daily.example.com"
    )
    assert lead.converted_at is not None and "converted" in kinds(db, lead)

    client.post_form(f"/leads/{lead.id}/convert")  # again: nothing new
    assert db.session.execute(db.select(db.func.count()).select_from(Contact)).scalar_one() == 1

    colleague = factory.lead(
        workspace,
        full_name="Perry White",
        email="perry@daily.example.com",
        company_domain="daily.example.com",
        company_name="Daily Planet",
    )
    client.post_form(f"/leads/{colleague.id}/convert")
    db.session.refresh(colleague)
    assert colleague.converted_account_id == account.id  # linked by domain
    assert db.session.execute(db.select(db.func.count()).select_from(Account)).scalar_one() == 1
    assert "Converted" in client.get(f"/leads/{colleague.id}").get_data(as_text=True)


ROUTES = [
    ("get", "/leads/{id}"),
    ("get", "/leads/{id}/fields/city"),
    ("get", "/leads/{id}/fields/city/edit"),
    ("post", "/leads/{id}/fields/city"),
    ("post", "/leads/{id}/status"),
    ("post", "/leads/{id}/assign"),
    ("post", "/leads/{id}/priority"),
    ("post", "/leads/{id}/tags"),
    ("post", "/leads/{id}/notes"),
    ("post", "/leads/{id}/contacts"),
    ("post", "/leads/{id}/convert"),
]


@pytest.mark.parametrize("method,route", ROUTES)
def test_every_route_is_404_for_another_workspace(client, db, factory, page, method, route):
    foreign = factory.lead(factory.workspace(), email="foreign@example.com")
    url = route.format(id=foreign.id)
    response = client.htmx(
        method,
        url,
        data={
            "value": "x",
            "status": "contacted",
            "note": "x",
            "priority": "high",
            "add": "x",
            "channel": "call",
        },
    )
    assert response.status_code == 404
    db.session.refresh(foreign)
    assert foreign.status == "new" and foreign.converted_at is None
    assert client.htmx(method, route.format(id=uuid.uuid4())).status_code == 404


def test_edit_links_swap_the_field_in_place(client, page):
    _, _, lead = page
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    edit = f"/leads/{lead.id}/fields/email/edit"
    # The link works without JavaScript (href) and, with it, is an htmx swap of the field
    # that neither bubbles to the value's own click nor pushes the editor's URL.
    link = re.search(rf'<a href="{edit}" class="edit-link"[^>]*>', html).group(0)
    assert f'hx-get="{edit}"' in link and 'hx-target="#field-email"' in link
    assert 'hx-trigger="click consume"' in link and "hx-push-url" not in link


def test_the_editor_opened_as_a_page_puts_the_lead_url_back(client, page):
    _, _, lead = page
    full = client.get(f"/leads/{lead.id}/fields/city/edit").get_data(as_text=True)
    assert f'hx-replace-url="/leads/{lead.id}"' in full
    fragment = client.htmx("get", f"/leads/{lead.id}/fields/city/edit").get_data(as_text=True)
    assert "hx-replace-url" not in fragment


def test_renaming_updates_full_name_and_heading(client, db, factory, page):
    workspace, _, _ = page
    lead = factory.lead(
        workspace,
        first_name="Edward",
        last_name="Ramsey",
        full_name="Edward Ramsey",
        email="ed@example.com",
    )
    saved = client.htmx("post", f"/leads/{lead.id}/fields/first_name", data={"value": "Edwardo"})
    body = saved.get_data(as_text=True)
    full_name = re.search(
        r'<div class="field" id="field-full_name" hx-swap-oob="true">.*?</div>', body, re.S
    )
    assert full_name and "Edwardo Ramsey" in full_name.group(0)
    assert re.search(r'id="lead-header" hx-swap-oob="true">\s*<h1>Edwardo Ramsey</h1>', body)
    client.htmx("post", f"/leads/{lead.id}/fields/last_name", data={"value": ""})
    db.session.refresh(lead)
    assert (lead.first_name, lead.last_name, lead.full_name) == ("Edwardo", None, "Edwardo")
    assert "<h1>Edwardo</h1>" in client.get(f"/leads/{lead.id}").get_data(as_text=True)


def test_a_typed_full_name_is_kept_when_renaming(client, db, factory, page):
    workspace, _, _ = page
    lead = factory.lead(
        workspace, first_name="Edward", last_name="Ramsey", full_name="Ted", email="t@e.com"
    )
    body = client.htmx(
        "post", f"/leads/{lead.id}/fields/first_name", data={"value": "Edwardo"}
    ).get_data(as_text=True)
    assert 'id="field-full_name"' not in body
    db.session.refresh(lead)
    assert lead.full_name == "Ted"


def test_notes_are_shown_and_edited_in_place(client, db, page):
    _, _, lead = page
    lead.notes = "Met at <the> fair\nwants a call"
    db.session.commit()
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert 'id="field-notes"' in html and "Met at &lt;the&gt; fair\nwants a call" in html
    editor = client.htmx("get", f"/leads/{lead.id}/fields/notes/edit").get_data(as_text=True)
    assert '<textarea id="edit-notes" name="value"' in editor
    saved = client.htmx("post", f"/leads/{lead.id}/fields/notes", data={"value": "Call Monday"})
    assert saved.status_code == 200 and "Call Monday" in saved.get_data(as_text=True)
    db.session.refresh(lead)
    assert lead.notes == "Call Monday"


def test_editing_search_context_updates_how_it_was_found(client, page):
    _, _, lead = page
    body = client.htmx(
        "post", f"/leads/{lead.id}/fields/search_query", data={"value": "jazz pianists"}
    ).get_data(as_text=True)
    saved = re.match(r'\s*<div class="field" id="field-search_query"\s*>.*?</div>', body, re.S)
    assert saved and "jazz pianists" in saved.group(0)
    # The search context is shown once, in "How it was found", not among the details.
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    origin = html[html.index('<article id="lead-origin">') :]
    origin = origin[: origin.index("</article>")]
    assert 'id="field-search_query"' in origin and "jazz pianists" in origin
    assert html.count('id="field-search_query"') == 1 and html.count("<dt>Search mode</dt>") == 1


def test_each_tag_holds_its_remove_button(client, page):
    _, _, lead = page
    client.htmx("post", f"/leads/{lead.id}/tags", data={"add": "alpha, beta"})
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    tags = html[html.index('id="lead-tags"') : html.index('id="add-tag"')]
    # A <form> inside a <p> makes the HTML parser close the p and the tag's span before
    # the form, which put each × outside its tag.
    assert "<p" not in tags
    assert re.search(
        r'<span class="badge tag"><bdi>alpha</bdi>\s*<form[^>]*>.*?Remove tag alpha.*?</form>'
        r"\s*</span>",
        tags,
        re.S,
    )
