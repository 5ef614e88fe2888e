"""Undo merge from the timeline: a clear 409 when it cannot be done, every button of a chain works."""

from tests.factories import signed_in
from webapp.models import Lead
from webapp.models.merges import LeadMerge


def undo_links(html: str) -> list[str]:
    return [
        part.split('"')[0] for part in html.split('action="')[1:] if "/undo" in part.split('"')[0]
    ]


def test_undo_is_a_409_naming_the_lead_that_took_the_email(client, db, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    jon, jonathon = factory.likely_duplicates(workspace)
    jonathon_id = jonathon.id
    client.post_form("/duplicates/merge", {"keep_id": str(jon.id), "other_id": str(jonathon_id)})
    newcomer = factory.lead(
        workspace, full_name="Jonathon Newman", email="jonathon@acmewidgets.com"
    )
    [undo_url] = undo_links(client.get(f"/leads/{jon.id}").get_data(as_text=True))

    response = client.post_form(undo_url)

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Can&#39;t undo: jonathon@acmewidgets.com now belongs to Jonathon Newman" in page
    assert "merge or edit that lead first" in page
    db.session.expire_all()
    assert db.session.get(Lead, jonathon_id) is None
    assert db.session.get(Lead, jon.id).phone == "+14155550190"
    assert db.session.get(Lead, newcomer.id).email == "jonathon@acmewidgets.com"
    assert db.session.execute(db.select(LeadMerge.undone_at)).scalar_one() is None
    assert "Undo merge" in client.get(f"/leads/{jon.id}").get_data(as_text=True)


def test_every_undo_button_of_a_merge_chain_works(client, db, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    a, c, d = (
        factory.lead(workspace, full_name=name, company_name="Orbit")
        for name in ("Ann Roe", "Annie Roe", "A. Roe")
    )
    a_id, c_id, d_id = a.id, c.id, d.id
    client.post_form("/duplicates/merge", {"keep_id": str(a_id), "other_id": str(c_id)})
    client.post_form("/duplicates/merge", {"keep_id": str(d_id), "other_id": str(a_id)})
    c_into_a, a_into_d = reversed(undo_links(client.get(f"/leads/{d_id}").get_data(as_text=True)))

    assert client.post_form(c_into_a).headers["Location"] == f"/leads/{c_id}"
    assert client.post_form(a_into_d).headers["Location"] == f"/leads/{a_id}"
    db.session.expire_all()
    assert all(db.session.get(Lead, lead_id) for lead_id in (a_id, c_id, d_id))
    assert "(undone)" in client.get(f"/leads/{a_id}").get_data(as_text=True)
