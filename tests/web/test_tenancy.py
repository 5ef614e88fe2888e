"""Every lead route is scoped to the signed-in user's workspace."""

import uuid

from webapp.models import AuditLog


def test_lead_of_another_workspace_is_404(client, factory):
    workspace_a = factory.workspace()
    workspace_b = factory.workspace()
    user_a = factory.user(workspace_a)
    lead_a = factory.lead(workspace_a, first_name="Ada", email="ada@a.example.com")
    lead_b = factory.lead(workspace_b, first_name="Bob", email="bob@b.example.com")
    client.login(user_a)

    assert client.get(f"/leads/{lead_a.id}").status_code == 200
    response = client.get(f"/leads/{lead_b.id}")
    assert response.status_code == 404
    assert "bob@b.example.com" not in response.get_data(as_text=True)


def test_unknown_and_malformed_ids_are_404(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace))
    assert client.get(f"/leads/{uuid.uuid4()}").status_code == 404
    assert client.get("/leads/not-a-uuid").status_code == 404


def test_leads_list_shows_only_this_workspace(client, factory):
    workspace_a = factory.workspace()
    workspace_b = factory.workspace()
    user_a = factory.user(workspace_a)
    factory.lead(workspace_a, email="mine@a.example.com")
    factory.lead(workspace_b, email="theirs@b.example.com")
    client.login(user_a)
    page = client.get("/leads?owner=any").get_data(as_text=True)  # a rep: everyone's
    assert "mine@a.example.com" in page
    assert "theirs@b.example.com" not in page


def test_viewing_a_lead_is_audited(client, factory, db):
    workspace = factory.workspace()
    user = factory.user(workspace)
    lead = factory.lead(workspace)
    client.login(user)
    client.get(f"/leads/{lead.id}")
    row = db.session.execute(db.select(AuditLog)).scalar_one()
    assert (row.action, row.object_id, row.user_id) == ("lead.viewed", str(lead.id), user.id)
