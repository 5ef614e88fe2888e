"""A token limited to the target-client endpoints, made on the settings page or the CLI."""

from __future__ import annotations

import re

from tests.factories import signed_in

LIST = "/run/target-client/leads/list"


def test_settings_page_makes_a_limited_token(client, factory, db):
    signed_in(client, factory, role="admin")
    page = client.post_form("/settings/tokens", {"name": "Demo feed", "scopes": "target_client"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Target-client endpoints only" in text
    secret = re.search(r'id="new-token" type="text" value="([^"]+)"', text).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    assert (
        client.post(LIST, json={"target_client_domain": "acme.com"}, headers=headers).status_code
        == 200
    )
    refused = client.get("/api/v1/leads", headers=headers)
    assert refused.status_code == 403 and "target-client" in refused.json["message"]
    bad = client.post_form("/settings/tokens", {"name": "X", "scopes": "root"})
    assert bad.status_code == 422 and "Access must be one of" in bad.get_data(as_text=True)


def test_cli_makes_a_limited_token(app, client, factory):
    workspace = factory.workspace(slug="scoped")
    result = app.test_cli_runner().invoke(
        args=[
            "tokens",
            "create",
            "--workspace",
            "scoped",
            "--name",
            "feed",
            "--scope",
            "target_client",
        ]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/leads", headers=headers).status_code == 403
    assert (
        client.post(LIST, json={"target_client_domain": "acme.com"}, headers=headers).status_code
        == 200
    )
    listed = app.test_cli_runner().invoke(args=["tokens", "list", "--workspace", workspace.slug])
    assert "access target_client" in listed.output
