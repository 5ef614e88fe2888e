"""Possible duplicates: found by name at the same company, merged and undone from the UI."""

from tests.factories import signed_in
from webapp.models import AuditLog, Lead
from webapp.services.leads.duplicates import find_duplicate_pairs, find_lead_duplicates


def test_candidates_need_similar_names_at_the_same_company(db, factory):
    workspace = factory.workspace()
    jon = factory.lead(
        workspace,
        first_name="Jon",
        last_name="Smith",
        email="jon@acme.example.com",
        company_domain="acme.example.com",
    )
    john = factory.lead(
        workspace,
        first_name="John",
        last_name="Smith",
        email="js@acme.example.com",
        company_domain="acme.example.com",
    )
    factory.lead(
        workspace,
        first_name="Maria",
        last_name="Garcia",
        email="mg@acme.example.com",
        company_domain="acme.example.com",
    )
    factory.lead(
        workspace,
        first_name="John",
        last_name="Smith",
        email="john@else.example.com",
        company_domain="else.example.com",
    )
    found = find_lead_duplicates(db.session, jon)
    assert [c.other.id for c in found] == [john.id]
    assert "same domain acme.example.com" in found[0].reason and found[0].score >= 85
    pairs = find_duplicate_pairs(db.session, workspace.id)
    assert [{c.lead.id, c.other.id} for c in pairs] == [{jon.id, john.id}]


def test_accents_and_case_do_not_hide_a_duplicate(db, factory):
    workspace = factory.workspace()
    maria = factory.lead(
        workspace, first_name="Maria", last_name="Lopez", email="m@a.io", company_name="Lopez Foods"
    )
    accented = factory.lead(
        workspace,
        first_name="MARÍA",
        last_name="López",
        email="ml@b.io",
        company_name="Lopez Foods",
    )
    found = find_lead_duplicates(db.session, maria)
    assert [c.other.id for c in found] == [accented.id] and found[0].score == 100
    assert len(find_duplicate_pairs(db.session, workspace.id)) == 1


def test_page_lists_pairs_and_merges_then_undo(app, client, db, factory, monkeypatch):
    # The scan is a job: inline here (tests/web/test_background_work.py runs it on a worker).
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    workspace, _ = signed_in(client, factory, role="rep")
    keep = factory.lead(
        workspace,
        full_name="Sam Lee",
        first_name="Sam",
        last_name="Lee",
        email="sam@orbit.example.com",
        company_name="Orbit",
    )
    other = factory.lead(
        workspace,
        full_name="Sam Lee",
        first_name="Sam",
        last_name="Lee",
        email="samuel@orbit.example.com",
        company_name="orbit",
        phone="+14155550177",
    )
    page = client.get("/duplicates").get_data(as_text=True)
    # Either lead may come first in the pair, and its spelling names the company.
    assert "Sam Lee" in page and "same company orbit" in page.lower()
    lead_page = client.get(f"/leads/{keep.id}").get_data(as_text=True)
    assert "Possible duplicates" in lead_page and "samuel@orbit.example.com" in lead_page

    response = client.post_form(
        "/duplicates/merge", {"keep_id": str(keep.id), "other_id": str(other.id)}
    )
    assert response.headers["Location"] == f"/leads/{keep.id}"
    db.session.expire_all()
    assert db.session.get(Lead, other.id) is None
    html = client.get(f"/leads/{keep.id}").get_data(as_text=True)
    assert "Undo merge" in html
    merge_id = html.split("/duplicates/merges/")[1].split("/undo")[0]
    undo = client.post_form(f"/duplicates/merges/{merge_id}/undo")
    assert undo.headers["Location"] == f"/leads/{other.id}"
    db.session.expire_all()
    assert db.session.get(Lead, other.id).phone == "+14155550177"
    assert client.post_form(f"/duplicates/merges/{merge_id}/undo").status_code == 409
    assert "(undone)" in client.get(f"/leads/{keep.id}").get_data(as_text=True)
    audited = db.session.execute(
        db.select(AuditLog.action, AuditLog.ip_address).where(
            AuditLog.action.in_(["leads.merged", "leads.merge_undone"])
        )
    ).all()
    assert sorted(audited) == [("leads.merge_undone", "127.0.0.1"), ("leads.merged", "127.0.0.1")]


def test_merge_across_workspaces_is_404(client, db, factory):
    workspace, _ = signed_in(client, factory)
    mine = factory.lead(workspace, email="mine@example.com")
    theirs = factory.lead(factory.workspace(), email="theirs@example.com")
    response = client.post_form(
        "/duplicates/merge", {"keep_id": str(mine.id), "other_id": str(theirs.id)}
    )
    assert response.status_code == 404
    assert db.session.get(Lead, theirs.id) is not None
