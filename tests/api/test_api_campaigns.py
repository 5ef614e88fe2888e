"""GET /api/v1/campaigns and /api/v1/campaigns/{id}: token auth, workspace scope, stats."""

from __future__ import annotations

import uuid

from webapp.services.campaigns.assignment import assign_list


def _token(factory, workspace):
    admin = factory.user(workspace, role="admin")
    return {"Authorization": f"Bearer {factory.api_token(workspace, created_by=admin).secret}"}


def test_campaigns_need_a_token(client):
    for path in ("/api/v1/campaigns", f"/api/v1/campaigns/{uuid.uuid4()}"):
        response = client.get(path)
        assert response.status_code == 401 and response.json["errors"] == {}


def test_campaigns_of_the_token_workspace_only_with_stats(client, factory, db):
    mine, theirs = factory.workspace(), factory.workspace()
    headers = _token(factory, mine)
    leads = [factory.lead(mine) for _ in range(3)]
    campaign = factory.campaign(mine, name="Spring", status="active")
    link = assign_list(db.session, campaign, factory.lead_list(mine, leads=leads))
    db.session.commit()
    other = factory.campaign(theirs, name="Their campaign")

    listed = client.get("/api/v1/campaigns", headers=headers)
    assert listed.status_code == 200
    assert [(c["name"], c["total_leads"]) for c in listed.json["items"]] == [("Spring", 3)]

    detail = client.get(f"/api/v1/campaigns/{campaign.id}", headers=headers).json
    assert detail["queued_leads"] == 3 and detail["lists"][0]["lead_list_id"] == str(
        link.lead_list_id
    )
    assert client.get(f"/api/v1/campaigns/{other.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/campaigns/not-an-id", headers=headers).status_code == 404
    bad = client.get("/api/v1/campaigns?limit=0", headers=headers)
    assert bad.status_code == 422 and "limit" in bad.json["errors"]
