"""POST /api/v1/imports, GET …/{id} and …/errors: token auth, workspace isolation, 413."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from tests.imports.helpers import csv_bytes, leads_of
from webapp.models import LeadImport, LeadList
from webapp.services.accounts.api_tokens import create_token

FILE = csv_bytes([["Email Address", "First Name", "Notes"], ["ann@example.com", "Ann", "@SUM(1)"],
                  ["broken", "Bob", "=cmd"]])  # fmt: skip


@pytest.fixture()
def api(db, factory, inline):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    secret = create_token(db.session, workspace.id, "imports", admin.id).secret
    db.session.commit()
    return workspace, {"Authorization": f"Bearer {secret}"}


def _post(client, headers, data=FILE, **fields):
    body = {"file": (io.BytesIO(data), "people.csv"), **fields}
    return client.post("/api/v1/imports", data=body, headers=headers,
                       content_type="multipart/form-data")  # fmt: skip


def test_upload_then_progress_then_errors(client, db, api):
    workspace, headers = api
    answer = _post(client, headers, duplicate_policy="fill", tags="api, fair",
                   mapping=json.dumps({"Notes": "ignore"}), list_name="From the API")  # fmt: skip
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "finished" and body["run_id"]
    assert (body["created"], body["invalid"], body["done"]) == (1, 1, 2)
    status = client.get(f"/api/v1/imports/{body['id']}", headers=headers)
    assert status.status_code == 200 and status.get_json()["created"] == 1
    report = client.get(f"/api/v1/imports/{body['id']}/errors", headers=headers)
    assert report.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True))))
    assert rows[1][:2][0] == "3" and rows[1][4] == "'=cmd"
    as_json = client.get(
        f"/api/v1/imports/{body['id']}/errors", headers={**headers, "Accept": "application/json"}
    ).get_json()
    assert as_json["total"] == 1 and as_json["items"][0]["values"]["Email Address"] == "broken"
    (ann,) = leads_of(workspace)
    assert ann.notes is None and sorted(t.name for t in ann.tags) == ["api", "fair"]


def test_list_name_always_makes_a_new_list_and_list_id_adds_to_one(client, db, factory, api):
    workspace, headers = api
    existing = factory.lead_list(workspace, name="From the API")
    db.session.commit()
    first = _post(client, headers, list_name="From the API").get_json()
    assert first["list_id"] != str(existing.id)
    assert db.session.get(LeadList, uuid.UUID(first["list_id"])).name == "From the API (2)"
    into = _post(client, headers, list_id=str(existing.id)).get_json()
    assert into["list_id"] == str(existing.id)
    described = client.get("/api/v1/openapi.json").get_json()
    schema = json.dumps(described["components"]["schemas"]["ImportUpload"])
    assert "a new list is always created" in schema


def test_refusals(app, client, db, api, monkeypatch):
    _, headers = api
    assert client.post("/api/v1/imports").status_code == 401
    no_file = client.post("/api/v1/imports", data={"duplicate_policy": "skip"}, headers=headers,
                          content_type="multipart/form-data")  # fmt: skip
    assert no_file.status_code == 422 and "file" in no_file.get_json()["errors"]
    bad_policy = _post(client, headers, duplicate_policy="merge")
    assert bad_policy.status_code == 422 and "duplicate_policy" in bad_policy.get_json()["errors"]
    no_key = _post(client, headers, data=csv_bytes([["Name"], ["Ann"]]))
    assert no_key.status_code == 422 and "mapping" in no_key.get_json()["errors"]
    mapped_away = _post(client, headers, mapping=json.dumps({"Email Address": "raw"}))
    assert mapped_away.status_code == 422
    reason = str(mapped_away.get_json()["errors"]["mapping"])
    assert "map a column to email, LinkedIn URL or phone" in reason
    assert "matched to existing leads" in reason
    binary = _post(client, headers, data=bytes(range(256)) * 4)
    assert binary.status_code == 422 and "file" in binary.get_json()["errors"]
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1_000)
    big = _post(client, headers, data=csv_bytes([["email"]] + [["a@example.com"]] * 200))
    assert big.status_code == 413 and "upload limit" in big.get_json()["message"]
    assert db.session.execute(db.select(LeadImport)).scalar() is None


def test_another_workspace_import_is_a_404(client, db, factory, api):
    _, headers = api
    other = factory.workspace()
    secret = create_token(
        db.session, other.id, "other", factory.user(other, role="admin").id
    ).secret
    db.session.commit()
    mine = _post(client, headers).get_json()["id"]
    theirs = {"Authorization": f"Bearer {secret}"}
    for url in (f"/api/v1/imports/{mine}", f"/api/v1/imports/{mine}/errors", "/api/v1/imports/x"):
        assert client.get(url, headers=theirs).status_code == 404, url
