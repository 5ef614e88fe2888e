"""Contacts and Accounts: what convert makes, listed, searched, paged and shown."""

import uuid

import pytest

from tests.factories import signed_in
from webapp.models import AuditLog
from webapp.models.crm import Account, Contact


@pytest.fixture()
def converted(client, db, factory):
    """Lou and Perry of the Daily Planet, converted by a rep; Lou's lead then merged away."""
    workspace, rep = signed_in(client, factory, role="rep", name="Rita Rep")
    lou = factory.lead(
        workspace,
        first_name="Lou",
        last_name="Lane",
        email="lou@daily.example.com",
        phone="+14155550100",
        job_title="Reporter",
        company_name="Daily Planet",
        company_domain="daily.example.com",
    )
    perry = factory.lead(
        workspace,
        full_name="Perry White",
        email="perry@daily.example.com",
        company_name="Daily Planet",
        company_domain="daily.example.com",
    )
    for lead in (lou, perry):
        assert client.post_form(f"/leads/{lead.id}/convert").status_code == 302
    db.session.expire_all()
    contact = db.session.execute(
        db.select(Contact).where(Contact.email_normalized == "lou@daily.example.com")
    ).scalar_one()
    account = db.session.execute(db.select(Account)).scalar_one()
    return workspace, rep, lou, perry, contact, account


def test_lists_show_what_convert_made(client, converted):
    _, _, _, _, contact, account = converted
    contacts = client.get("/contacts").get_data(as_text=True)
    assert "2 contacts." in contacts
    assert f'href="/contacts/{contact.id}"' in contacts and "Lou Lane" in contacts
    assert (
        'href="mailto:lou@daily.example.com"' in contacts and 'href="tel:+14155550100"' in contacts
    )
    assert f'href="/accounts/{account.id}"' in contacts and "Daily Planet" in contacts
    accounts = client.get("/accounts").get_data(as_text=True)
    assert "1 account." in accounts and "daily.example.com" in accounts
    assert f'href="/accounts/{account.id}"' in accounts


def test_search_and_paging(client, db, converted):
    workspace, _, _, _, _, account = converted
    found = client.get("/contacts?q=perry").get_data(as_text=True)
    assert "1 contact match" in found and "Perry White" in found and "Lou Lane" not in found
    by_account = client.get("/contacts?q=planet").get_data(as_text=True)
    assert "2 contacts match" in by_account
    none = client.get("/contacts?q=100%25_").get_data(as_text=True)  # LIKE wildcards are text
    assert "No contact matches" in none
    for i in range(30):
        db.session.add(
            Contact(workspace_id=workspace.id, full_name=f"Zz {i:02d}", email=f"z{i}@x.io")
        )
    db.session.commit()
    first = client.get("/contacts").get_data(as_text=True)
    assert "32 contacts." in first and "Page 1 of 2" in first and 'href="/contacts?page=2"' in first
    second = client.get("/contacts?q=zz&page=2").get_data(as_text=True)
    assert "Zz 29" in second and "Zz 00" not in second and "Page 2 of 2" in second
    assert "Page 2 of 2" in client.get("/contacts?q=zz&page=99").get_data(as_text=True)
    assert client.get("/accounts?q=daily").status_code == 200
    assert "No account matches" in client.get("/accounts?q=nothing").get_data(as_text=True)


def test_contact_page_shows_fields_leads_and_origin_and_is_audited(client, db, converted):
    _, rep, lou, _, contact, account = converted
    html = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "<h1><bdi>Lou Lane</bdi></h1>" in html and "Reporter" in html
    assert 'href="tel:+14155550100"' in html and 'href="mailto:lou@daily.example.com"' in html
    assert f'href="/accounts/{account.id}"' in html
    assert f'Converted from <a href="/leads/{lou.id}" class="origin-lead">' in html
    row = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "contact.viewed")
    ).scalar_one()
    assert (row.user_id, row.object_type, row.object_id) == (rep.id, "contact", str(contact.id))


def test_account_page_lists_contacts_and_leads(client, converted):
    _, _, lou, perry, contact, account = converted
    html = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "<h1><bdi>Daily Planet</bdi></h1>" in html and "2 contacts · 2 leads" in html
    contacts = html[html.index('id="account-contacts"') : html.index('id="linked-leads"')]
    assert f'href="/contacts/{contact.id}"' in contacts and "Perry White" in contacts
    linked = html[html.index('id="linked-leads"') :]
    assert f'href="/leads/{lou.id}"' in linked and f'href="/leads/{perry.id}"' in linked
    assert f'Converted from <a href="/leads/{lou.id}"' in linked  # the account's first lead


def test_the_lead_page_links_to_its_contact_and_account(client, converted):
    _, _, lou, _, contact, account = converted
    html = client.get(f"/leads/{lou.id}").get_data(as_text=True)
    assert f'href="/contacts/{contact.id}" class="converted-contact"' in html
    assert f'href="/accounts/{account.id}" class="converted-account"' in html


def test_a_deleted_origin_lead_reads_as_such(client, db, factory, converted):
    workspace, _, lou, _, contact, _ = converted
    admin = factory.user(workspace, role="admin")
    admin_client = type(client)(client.application.test_client())
    admin_client.login(admin)
    admin_client.post_form(f"/leads/{lou.id}/delete")
    html = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Converted from a lead that has since been deleted" in html
    assert "No lead is linked any more." in html


def test_another_workspace_sees_404(client, db, factory, converted):
    _, _, _, _, contact, account = converted
    other_client = type(client)(client.application.test_client())
    signed_in(other_client, factory, role="admin")
    assert other_client.get(f"/contacts/{contact.id}").status_code == 404
    assert other_client.get(f"/accounts/{account.id}").status_code == 404
    assert other_client.get(f"/contacts/{uuid.uuid4()}").status_code == 404
    assert other_client.get("/contacts/not-a-uuid").status_code == 404
    assert "No contacts yet." in other_client.get("/contacts").get_data(as_text=True)
    assert "No accounts yet." in other_client.get("/accounts").get_data(as_text=True)
    assert (
        db.session.execute(
            db.select(db.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "contact.viewed")
        ).scalar_one()
        == 0
    )


def test_signed_out_visitors_are_sent_to_sign_in(client, converted):
    anonymous = type(client)(client.application.test_client())
    assert anonymous.get("/contacts").status_code == 302
    assert anonymous.get("/accounts").status_code == 302
