"""The lead page's header, its place in My Leads (previous/next, back) and admin delete."""

import re
from urllib.parse import quote, unquote

import pytest

from tests.factories import signed_in
from webapp.models import AuditLog, Lead
from webapp.services.leads.detail import FIELD_GROUPS, ORIGIN_FIELDS
from webapp.services.leads.edit import INLINE_FIELDS


def _header(html: str) -> str:
    start = html.index('id="lead-header"')
    return html[start : html.index("</dl>", start)]


def test_header_answers_who_and_what_next(client, db, factory):
    workspace, admin = signed_in(client, factory, name="Alex Admin")
    lead = factory.lead(
        workspace,
        first_name="Jane",
        last_name="Roe",
        email="jane@roe.example.com",
        phone="+14155550123",
        job_title="Head of Ops",
        company_name="Roe & Co",
        intent="hot",
        lead_score=87,
        intent_explanation="Visited pricing 3 times",
        status="qualified",
        assigned_to_id=admin.id,
    )
    header = _header(client.get(f"/leads/{lead.id}").get_data(as_text=True))
    assert "<h1>Jane Roe</h1>" in header
    assert "Head of Ops</bdi> at <bdi" in header and "Roe &amp; Co" in header
    assert 'href="mailto:jane@roe.example.com"' in header
    assert 'href="tel:+14155550123"' in header
    assert "status-qualified" in header and "Qualified" in header
    assert "Alex Admin" in header
    assert "intent-hot" in header and "Visited pricing 3 times" in header
    assert ">87<" in header
    db.session.refresh(lead)
    assert lead.last_activity_at.isoformat() in header


def test_header_without_email_or_phone_says_so(client, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    lead = factory.lead(workspace, full_name="Only Name", email=None, phone=None)
    header = _header(client.get(f"/leads/{lead.id}").get_data(as_text=True))
    assert "No email" in header and "No phone" in header and "mailto:" not in header
    assert "Unassigned" in header


def test_fields_are_grouped_once_and_empty_ones_folded(client, db, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    lead = factory.lead(
        workspace, full_name="Kim Field", email="kim@example.com", search_query="cto berlin"
    )
    grouped = [f for _, names in FIELD_GROUPS for f in names] + list(ORIGIN_FIELDS)
    assert sorted(grouped) == sorted(INLINE_FIELDS)  # every editable field, once
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    for title in ("Contact", "Company", "Qualification", "How it was found"):
        assert f">{title}</h" in html
    for field in INLINE_FIELDS:
        assert html.count(f'id="field-{field}"') == 1, field
    # Empty fields sit inside a folded <details>; filled ones outside it.
    folded = "".join(re.findall(r'<details class="empty-fields"\s*>.*?</details>', html, re.S))
    assert 'id="field-city"' in folded and 'id="field-search_mode"' in folded
    assert 'id="field-email"' not in folded and 'id="field-search_query"' not in folded
    assert "Show empty fields" in html
    origin = html[html.index('<article id="lead-origin">') :]
    assert "cto berlin" in origin[: origin.index("</article>")]


def test_the_no_js_editor_of_an_empty_field_opens_its_fold(client, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    lead = factory.lead(workspace, full_name="Kim Field", email="kim@example.com")
    html = client.get(f"/leads/{lead.id}/fields/city/edit").get_data(as_text=True)
    assert re.search(
        r'<details class="empty-fields" open>\s*<summary>[^<]*<small[^>]*>[^<]*</small></summary>\s*<dl class="fields">(?:(?!</details>).)*id="edit-city"',
        html,
        re.S,
    )


@pytest.fixture()
def view(client, db, factory):
    """Five qualified leads A..E and a new one, signed in as an admin."""
    workspace, admin = signed_in(client, factory)
    leads = {
        name: factory.lead(workspace, full_name=f"{name} Person", status="qualified")
        for name in "ACEBD"
    }
    leads["N"] = factory.lead(workspace, full_name="N Person", status="new")
    return workspace, admin, leads


def _nav(html: str) -> dict:
    found = {}
    for rel in ("prev", "next"):
        match = re.search(rf'<a href="([^"]+)" rel="{rel}"', html)
        found[rel] = unquote(match.group(1)).replace("&amp;", "&") if match else None
    back = re.search(r'<a href="([^"]+)" class="lead-back"', html)
    found["back"] = back.group(1).replace("&amp;", "&")
    return found


def test_previous_and_next_follow_the_filtered_view(client, view):
    _, _, leads = view
    query = "status=qualified&sort=name&direction=asc"
    html = client.get(f"/leads/{leads['C'].id}?from={quote(query)}").get_data(as_text=True)
    nav = _nav(html)
    assert nav["prev"].startswith(f"/leads/{leads['B'].id}?from=")
    assert nav["next"].startswith(f"/leads/{leads['D'].id}?from=")
    assert "status=qualified" in nav["prev"] and "sort=name" in nav["next"]
    assert nav["back"] == f"/leads?{query}#lead-{leads['C'].id}"
    first = _nav(client.get(f"/leads/{leads['A'].id}?from={quote(query)}").get_data(as_text=True))
    assert first["prev"] is None and first["next"].startswith(f"/leads/{leads['B'].id}")
    last = _nav(client.get(f"/leads/{leads['E'].id}?from={quote(query)}").get_data(as_text=True))
    assert last["next"] is None  # N is not qualified
    html = client.get(f"/leads/{leads['E'].id}?from={quote(query)}").get_data(as_text=True)
    assert '<span class="btn btn-secondary btn-sm" aria-disabled="true">Next →</span>' in html


def test_back_to_list_names_the_page_the_lead_is_on(client, factory):
    workspace, _ = signed_in(client, factory)
    made = [factory.lead(workspace, full_name=f"Lead {i:02d}") for i in range(30)]
    query = "sort=name&direction=asc"
    html = client.get(f"/leads/{made[27].id}?from={quote(query)}").get_data(as_text=True)
    assert _nav(html)["back"] == f"/leads?{query}&page=2#lead-{made[27].id}"
    html = client.get(f"/leads/{made[3].id}?from={quote(query)}").get_data(as_text=True)
    assert _nav(html)["back"] == f"/leads?{query}#lead-{made[3].id}"


def test_the_referring_my_leads_page_stands_in_for_from(client, view):
    _, _, leads = view
    html = client.get(
        f"/leads/{leads['C'].id}",
        headers={"Referer": "http://localhost/leads?status=qualified&sort=name&direction=asc"},
    ).get_data(as_text=True)
    assert _nav(html)["next"].startswith(f"/leads/{leads['D'].id}")
    foreign = client.get(
        f"/leads/{leads['C'].id}",
        headers={"Referer": "http://evil.example/leads?status=new"},
    ).get_data(as_text=True)
    assert "status=new" not in _nav(foreign)["back"]


def test_admin_deletes_with_a_dialog_and_lands_on_the_list(client, db, view):
    workspace, admin, leads = view
    query = "status=qualified&sort=name&direction=asc"
    html = client.get(f"/leads/{leads['C'].id}?from={quote(query)}").get_data(as_text=True)
    assert (
        '<dialog class="dialog" id="delete-lead-dialog"' in html
        and 'data-dialog-open="delete-lead-dialog"' in html
    )
    assert f'name="from" value="{query.replace("&", "&amp;")}"' in html
    response = client.post_form(f"/leads/{leads['C'].id}/delete", {"from": query})
    assert response.status_code == 302 and response.location == f"/leads?{query}"
    assert db.session.get(Lead, leads["C"].id) is None
    row = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "lead.deleted")
    ).scalar_one()
    assert row.user_id == admin.id and row.object_id == str(leads["C"].id)
    assert row.details == {"name": "C Person", "email": leads["C"].email}
    page = client.get(f"/leads?{query}").get_data(as_text=True)
    assert "Lead \u2068C Person\u2069 deleted." in page


def test_delete_is_for_admins_with_csrf_in_their_workspace(client, db, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    lead = factory.lead(workspace, full_name="Kept Lead")
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "delete-lead-dialog" not in html and "Delete lead" not in html
    assert client.post_form(f"/leads/{lead.id}/delete").status_code == 403
    assert db.session.get(Lead, lead.id) is not None

    admin_client = type(client)(client.application.test_client())
    admin = factory.user(workspace, role="admin")
    admin_client.login(admin)
    assert admin_client.post(f"/leads/{lead.id}/delete").status_code == 400  # no CSRF token
    foreign = factory.lead(factory.workspace(), full_name="Foreign")
    assert admin_client.post_form(f"/leads/{foreign.id}/delete").status_code == 404
    db.session.expire_all()
    assert db.session.get(Lead, lead.id) is not None and db.session.get(Lead, foreign.id)


def test_a_rep_steps_through_their_own_leads_by_default(client, db, factory):
    workspace, rep = signed_in(client, factory, role="rep")
    other = factory.user(workspace, role="rep")
    mine = [factory.lead(workspace, full_name=f"Mine {i}", assigned_to_id=rep.id) for i in range(2)]
    factory.lead(workspace, full_name="Theirs", assigned_to_id=other.id)
    query = "sort=name&direction=asc"
    nav = _nav(client.get(f"/leads/{mine[0].id}?from={quote(query)}").get_data(as_text=True))
    assert nav["next"].startswith(f"/leads/{mine[1].id}") and "owner=me" in nav["next"]
    last = _nav(client.get(f"/leads/{mine[1].id}?from={quote(query)}").get_data(as_text=True))
    assert last["next"] is None  # "Theirs" sorts after, but is not the rep's
    everyone = quote(query + "&owner=any")
    nav = _nav(client.get(f"/leads/{mine[1].id}?from={everyone}").get_data(as_text=True))
    assert nav["next"] is not None and "owner=any" in nav["next"]
