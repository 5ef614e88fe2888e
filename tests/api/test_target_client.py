"""Seed 000's target-client endpoints over HTTP: the documented requests and answers,
found and not found, batch idempotency and limits, errors, token scope, isolation."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event

from webapp.models import AuditLog
from webapp.models.target_clients import TargetClientLead, TargetClientPerson

BASE = "/run/target-client/leads"
TCD = "securitypalhq.com"


@pytest.fixture()
def core(factory):
    """Core data of the seed's examples: Harness with AJ, Stripe with Jane."""
    harness = factory.core_company(
        domain="harness.io", name="Harness", industry="DevOps", employee_count=850,
        city="San Francisco",
    )  # fmt: skip
    stripe = factory.core_company(domain="stripe.com", name="Stripe", industry="Payments")
    datadog = factory.core_company(domain="datadog.com", name="Datadog")
    aj = factory.core_person(
        harness, email="aj@harness.io", first_name="AJ", last_name="Pahl", full_name="AJ Pahl",
        title="VP Sales", seniority="VP", department="Sales",
        linkedin_url="linkedin.com/in/ajpahl",
    )  # fmt: skip
    jane = factory.core_person(stripe, email="jane@stripe.com", full_name="Jane Roe")
    return {"harness": harness, "stripe": stripe, "datadog": datadog, "aj": aj, "jane": jane}


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace(slug="acme")
    admin = factory.user(workspace, role="admin")
    other = factory.workspace(slug="globex")
    full = factory.api_token(workspace, created_by=admin).secret
    limited = factory.api_token(workspace, created_by=admin, scopes="target_client").secret
    other_secret = factory.api_token(other).secret
    return {
        "workspace": workspace,
        "other": other,
        "headers": {"Authorization": f"Bearer {full}"},
        "limited": {"Authorization": f"Bearer {limited}"},
        "other_headers": {"Authorization": f"Bearer {other_secret}"},
    }


def _post(client, path, body, headers):
    return client.post(f"{BASE}/{path}", json=body, headers=headers)


def test_ingest_as_documented_finds_core_person_and_company(client, desk, core):
    body = {
        "target_client_domain": TCD, "first_name": "AJ", "last_name": "Pahl",
        "work_email": "aj@harness.io", "company_domain": "harness.io", "source": "contact_form",
    }  # fmt: skip
    answer = _post(client, "ingest", body, desk["headers"])
    assert answer.status_code == 200, answer.json
    data = answer.json
    assert set(data) == {
        "success", "lead_id", "person_id", "company_id", "core_company_id", "core_person_id"
    }  # fmt: skip
    assert data["success"] is True
    assert data["core_person_id"] == str(core["aj"].id)
    assert data["core_company_id"] == str(core["harness"].id)
    assert uuid.UUID(data["person_id"]) and uuid.UUID(data["company_id"])
    again = _post(client, "ingest", {**body, "work_email": " AJ@Harness.IO "}, desk["headers"])
    assert again.json["lead_id"] == data["lead_id"]


def test_ingest_not_found_gives_null_core_ids(client, desk, core):
    body = {"target_client_domain": TCD, "first_name": "Nova", "work_email": "nova@nowhere.dev",
            "company_domain": "https://www.nowhere.dev/about", "source": "contact_form"}  # fmt: skip
    data = _post(client, "ingest", body, desk["headers"]).json
    assert data["success"] is True and data["lead_id"]
    assert data["core_person_id"] is None and data["core_company_id"] is None
    listed = _post(client, "list", {"target_client_domain": TCD}, desk["headers"]).json
    [lead] = listed["leads"]
    assert lead["company_domain"] == "nowhere.dev"
    assert lead["enriched_company"] is None and lead["enriched_person"] is None


def test_list_as_documented_with_enriched_company_and_person(client, desk, core):
    _post(client, "ingest", {"target_client_domain": TCD, "first_name": "AJ", "last_name": "Pahl",
          "work_email": "aj@harness.io", "company_domain": "harness.io",
          "source": "contact_form"}, desk["headers"])  # fmt: skip
    _post(client, "link", {"target_client_domain": TCD, "company_domain": "stripe.com",
          "source": "demo"}, desk["headers"])  # fmt: skip
    answer = _post(client, "list", {"target_client_domain": TCD, "source": "contact_form"},
                   desk["headers"])  # fmt: skip
    assert answer.status_code == 200
    assert answer.json["success"] is True and answer.json["count"] == 1
    [lead] = answer.json["leads"]
    assert lead["full_name"] == "AJ Pahl" and lead["work_email"] == "aj@harness.io"
    assert lead["company_domain"] == "harness.io"
    assert lead["core_company_id"] == str(core["harness"].id)
    assert lead["core_person_id"] == str(core["aj"].id)
    assert lead["enriched_company"] == {
        "name": "Harness", "industry": "DevOps", "employee_count": 850, "city": "San Francisco"
    }  # fmt: skip
    assert lead["enriched_person"] == {
        "title": "VP Sales",
        "seniority": "VP",
        "department": "Sales",
    }
    everything = _post(client, "list", {"target_client_domain": TCD}, desk["headers"]).json
    assert everything["count"] == 2


def test_list_runs_one_query_whatever_the_number_of_leads(app, client, desk, core, factory, db):
    people = [factory.core_person(core["stripe"], email=f"p{n}@stripe.com") for n in range(30)]
    rows = [{"person_email": p.email} for p in people]
    _post(client, "link-batch", {"target_client_domain": TCD, "leads": rows}, desk["headers"])
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = _post(client, "list", {"target_client_domain": TCD}, desk["headers"])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert answer.json["count"] == 30
    assert all(lead["enriched_company"]["name"] == "Stripe" for lead in answer.json["leads"])
    lead_queries = [s for s in statements if "target_client_leads" in s]
    assert len(lead_queries) == 1, lead_queries  # the one joined select
    assert sum("core_companies" in s for s in statements) == 1
    assert len(statements) <= 6, statements  # the token, the audit row: nothing per lead


def test_link_as_documented_and_again_gives_the_same_lead(client, desk, core):
    body = {"target_client_domain": TCD, "company_domain": "harness.io",
            "person_linkedin_url": "linkedin.com/in/ajpahl", "source": "demo"}  # fmt: skip
    answer = _post(client, "link", body, desk["headers"])
    assert answer.status_code == 200
    assert answer.json == {
        "success": True, "lead_id": answer.json["lead_id"],
        "core_company_id": str(core["harness"].id), "core_person_id": str(core["aj"].id),
        "company_found": True, "person_found": True,
    }  # fmt: skip
    url = "https://www.linkedin.com/in/AJPahl/"
    again = _post(client, "link", {**body, "person_linkedin_url": url}, desk["headers"])
    assert again.json["lead_id"] == answer.json["lead_id"]


def test_link_partly_found_and_not_found(client, desk, core):
    partly = {"target_client_domain": TCD, "company_domain": "harness.io",
              "person_linkedin_url": "linkedin.com/in/nobody"}  # fmt: skip
    data = _post(client, "link", partly, desk["headers"]).json
    assert data["company_found"] is True and data["person_found"] is False
    assert data["core_person_id"] is None
    missing = _post(client, "link", {"target_client_domain": TCD, "company_domain": "nope.dev"},
                    desk["headers"])  # fmt: skip
    assert missing.status_code == 404
    assert missing.json["message"] == "No matching company or person found in core."
    neither = _post(client, "link", {"target_client_domain": TCD}, desk["headers"])
    assert neither.status_code == 422 and "company_domain" in neither.json["errors"]
    bad = _post(client, "link", {"target_client_domain": TCD,
                "person_linkedin_url": "twitter.com/ajpahl"}, desk["headers"])  # fmt: skip
    assert bad.status_code == 422 and "person_linkedin_url" in bad.json["errors"]


def test_link_batch_as_documented(client, desk, core):
    body = {
        "target_client_domain": TCD,
        "source": "csv_import",
        "leads": [
            {"person_email": "aj@harness.io"},
            {"person_email": "jane@stripe.com"},
            {"person_email": "bob@datadog.com", "company_domain": "datadog.com"},
        ],
    }
    answer = _post(client, "link-batch", body, desk["headers"])
    assert answer.status_code == 200
    data = answer.json
    assert (data["success"], data["total"], data["linked"], data["failed"]) == (True, 3, 2, 1)
    first, second, third = data["results"]
    assert set(first) == {"index", "success", "lead_id", "person_found", "company_found"}
    assert first["index"] == 0 and first["success"] and first["person_found"]
    assert first["company_found"] and second["company_found"]
    assert third == {"index": 2, "success": False,
                     "error": "No matching person found in core.people"}  # fmt: skip
    again = _post(client, "link-batch", body, desk["headers"]).json
    assert [r.get("lead_id") for r in again["results"]] == [
        r.get("lead_id") for r in data["results"]
    ]


def test_link_batch_idempotent_within_and_across_requests(client, desk, core, db):
    rows = [{"person_email": "aj@harness.io"}, {"person_email": "AJ@harness.io "},
            {"person_email": "jane@stripe.com", "company_domain": "nope.dev"}]  # fmt: skip
    body = {"target_client_domain": TCD, "leads": rows}
    data = _post(client, "link-batch", body, desk["headers"]).json
    assert data["linked"] == 3 and data["results"][0]["lead_id"] == data["results"][1]["lead_id"]
    assert data["results"][2]["company_found"] is False
    _post(client, "link-batch", body, desk["headers"])
    _post(client, "link", {"target_client_domain": TCD, "person_linkedin_url":
          "linkedin.com/in/ajpahl"}, desk["headers"])  # fmt: skip
    count = db.session.execute(db.select(db.func.count()).select_from(TargetClientLead))
    assert count.scalar_one() == 2
    people = db.session.execute(db.select(db.func.count()).select_from(TargetClientPerson))
    assert people.scalar_one() == 2


def test_ingested_lead_is_linked_by_a_later_batch(client, desk, factory, db):
    _post(client, "ingest", {"target_client_domain": TCD, "work_email": "late@harness.io"},
          desk["headers"])  # fmt: skip
    person = factory.core_person(email="late@harness.io")
    data = _post(client, "link-batch", {"target_client_domain": TCD,
                 "leads": [{"person_email": "late@harness.io"}]}, desk["headers"]).json  # fmt: skip
    [lead] = _post(client, "list", {"target_client_domain": TCD}, desk["headers"]).json["leads"]
    assert data["results"][0]["lead_id"] == lead["id"]
    assert lead["core_person_id"] == str(person.id)


def test_link_batch_per_row_errors(client, desk, core):
    rows = [{"person_email": "not an email"}, {"person_email": "aj@harness.io",
            "company_domain": "not a domain"}, {"person_email": "jane@stripe.com"}]  # fmt: skip
    data = _post(client, "link-batch", {"target_client_domain": TCD, "leads": rows},
                 desk["headers"]).json  # fmt: skip
    assert (data["linked"], data["failed"]) == (1, 2)
    assert data["results"][0] == {"index": 0, "success": False,
                                  "error": "person_email is not an email address"}  # fmt: skip
    assert data["results"][1]["error"] == "company_domain is not a domain name"


def test_link_batch_malformed_rows_fail_alone_in_plain_words(client, desk, core, db):
    rows = [
        {"person_email": "aj@harness.io"},
        "jane@stripe.com",
        {"person_email": 42},
        {},
        {"company_domain": "stripe.com"},
        {"person_email": "jane@stripe.com", "company_domain": ["stripe.com"]},
        {"person_email": "jane@stripe.com"},
        None,
    ]
    answer = _post(client, "link-batch", {"target_client_domain": TCD, "leads": rows},
                   desk["headers"])  # fmt: skip
    assert answer.status_code == 200, answer.json
    data = answer.json
    assert (data["total"], data["linked"], data["failed"]) == (8, 2, 6)
    assert [r["index"] for r in data["results"]] == list(range(8))
    assert data["results"][0]["success"] and data["results"][6]["success"]
    errors = {r["index"]: r["error"] for r in data["results"] if not r["success"]}
    assert errors == {
        1: "the row must be an object with person_email (and company_domain)",
        2: "person_email must be text",
        3: "person_email is required",
        4: "person_email is required",
        5: "company_domain must be text",
        7: "the row must be an object with person_email (and company_domain)",
    }
    count = db.session.execute(db.select(db.func.count()).select_from(TargetClientLead))
    assert count.scalar_one() == 2


def _internal_names() -> set[str]:
    from pydantic import BaseModel

    from webapp.api import schemas, target_client_schemas

    names = {"pydantic", "ValidationError", "Traceback", "Exception"}
    for module in (schemas, target_client_schemas):
        names |= {name for name, value in vars(module).items()
                  if isinstance(value, type) and issubclass(value, BaseModel)}  # fmt: skip
    return names


@pytest.mark.parametrize(
    "path,body",
    [
        ("ingest", {"target_client_domain": 5, "work_email": ["a"], "source": {"x": 1}}),
        ("ingest", {"target_client_domain": TCD, "first_name": {"a": 1}, "work_email": 5}),
        ("list", {"target_client_domain": [TCD], "limit": "many", "offset": [1]}),
        ("link", {"target_client_domain": TCD, "company_domain": True,
                  "person_linkedin_url": 5}),
        ("link-batch", {"target_client_domain": TCD, "leads": "aj@harness.io"}),
        ("link-batch", {"target_client_domain": TCD, "leads": {"person_email": "a@b.co"}}),
        ("link-batch", {"target_client_domain": 7, "source": 1, "leads": [[1], 2.5, True]}),
        ("link-batch", {"target_client_domain": TCD, "leads": [[1], 2.5, {"person_email": {}}]}),
    ],
)  # fmt: skip
def test_no_error_names_an_internal_class(client, desk, core, path, body):
    answer = _post(client, path, body, desk["headers"])
    assert answer.status_code in (200, 422), answer.json
    text = answer.get_data(as_text=True)
    leaked = {name for name in _internal_names() if name in text}
    assert not leaked, (leaked, answer.json)
    if answer.status_code == 422:
        assert answer.json["errors"] and answer.json["message"]
    else:
        assert all(r["error"] for r in answer.json["results"])


def test_company_found_agrees_with_the_company_id(client, desk, core):
    by_person = {"target_client_domain": TCD, "person_linkedin_url": "linkedin.com/in/ajpahl"}
    first = _post(client, "link", by_person, desk["headers"]).json
    assert first["company_found"] is True
    assert first["core_company_id"] == str(core["harness"].id)  # the person's company
    elsewhere = {**by_person, "company_domain": "not-in-core.dev"}
    again = _post(client, "link", elsewhere, desk["headers"]).json
    assert again["lead_id"] == first["lead_id"]
    assert again["core_company_id"] == str(core["harness"].id)
    assert again["company_found"] is True
    batch = _post(client, "link-batch", {"target_client_domain": TCD, "leads": [
        {"person_email": "aj@harness.io", "company_domain": "not-in-core.dev"},
        {"person_email": "jane@stripe.com", "company_domain": "not-in-core.dev"},
    ]}, desk["headers"]).json  # fmt: skip
    aj, jane = batch["results"]
    assert aj["lead_id"] == first["lead_id"] and aj["company_found"] is True
    assert jane["company_found"] is False
    listed = _post(client, "list", {"target_client_domain": TCD}, desk["headers"]).json["leads"]
    by_id = {lead["id"]: lead for lead in listed}
    assert by_id[aj["lead_id"]]["core_company_id"] == str(core["harness"].id)
    assert by_id[jane["lead_id"]]["core_company_id"] is None


def test_an_international_email_domain_finds_the_person_in_either_spelling(client, desk, factory):
    person = factory.core_person(email="ann@münchen.de")
    rows = [{"person_email": "Ann@XN--MNCHEN-3YA.DE"}, {"person_email": "ann@München.de"}]
    data = _post(client, "link-batch", {"target_client_domain": TCD, "leads": rows},
                 desk["headers"]).json  # fmt: skip
    assert data["linked"] == 2
    assert data["results"][0]["lead_id"] == data["results"][1]["lead_id"]
    ingested = _post(client, "ingest", {"target_client_domain": TCD,
                     "work_email": "ann@xn--mnchen-3ya.de"}, desk["headers"]).json  # fmt: skip
    assert ingested["lead_id"] == data["results"][0]["lead_id"]
    assert ingested["core_person_id"] == str(person.id)


def test_link_batch_limit_is_413(client, desk):
    rows = [{"person_email": f"p{n}@example.com"} for n in range(10_001)]
    answer = _post(client, "link-batch", {"target_client_domain": TCD, "leads": rows},
                   desk["headers"])  # fmt: skip
    assert answer.status_code == 413
    assert "10,000" in answer.json["message"] and answer.json["status"] == 413
    assert "leads" in answer.json["errors"]


def test_link_batch_of_10000_rows_is_served(client, desk, core):
    rows = [{"person_email": f"p{n}@example.com"} for n in range(9_999)]
    rows.append({"person_email": "aj@harness.io"})
    data = _post(client, "link-batch", {"target_client_domain": TCD, "leads": rows},
                 desk["headers"]).json  # fmt: skip
    assert (data["total"], data["linked"], data["failed"]) == (10_000, 1, 9_999)


@pytest.mark.parametrize("path", ["ingest", "list", "link", "link-batch"])
def test_errors_400_401_422_in_the_one_shape(client, desk, path):
    malformed = client.post(f"{BASE}/{path}", data="{nope", headers={**desk["headers"],
                            "Content-Type": "application/json"})  # fmt: skip
    assert malformed.status_code == 400 and malformed.json["message"]
    not_object = _post(client, path, [1, 2], desk["headers"])
    assert not_object.status_code == 400
    no_token = client.post(f"{BASE}/{path}", json={"target_client_domain": TCD})
    assert no_token.status_code == 401 and no_token.json["status"] == 401
    bad_token = _post(client, path, {"target_client_domain": TCD},
                      {"Authorization": "Bearer lk_nope"})  # fmt: skip
    assert bad_token.status_code == 401 and "not valid" in bad_token.json["message"]
    missing = _post(client, path, {"leads": []}, desk["headers"])
    assert missing.status_code == 422
    assert missing.json["errors"]["target_client_domain"] == ["is required"]
    assert "target_client_domain" in missing.json["message"]
    not_domain = _post(client, path, {"target_client_domain": "not a domain", "leads": []},
                       desk["headers"])  # fmt: skip
    assert not_domain.status_code == 422
    assert set(missing.json) == {"error", "message", "status", "errors"}


def test_limited_token_works_here_and_is_refused_elsewhere(client, desk, core):
    answer = _post(client, "link", {"target_client_domain": TCD, "company_domain": "harness.io"},
                   desk["limited"])  # fmt: skip
    assert answer.status_code == 200
    refused = client.get("/api/v1/leads", headers=desk["limited"])
    assert refused.status_code == 403
    assert "target-client" in refused.json["message"] and refused.json["status"] == 403
    assert client.get("/api/v1/leads", headers=desk["headers"]).status_code == 200


def test_another_workspace_never_sees_the_leads(client, desk, core, db):
    _post(client, "link-batch", {"target_client_domain": TCD,
          "leads": [{"person_email": "aj@harness.io"}]}, desk["headers"])  # fmt: skip
    theirs = _post(client, "list", {"target_client_domain": TCD}, desk["other_headers"]).json
    assert theirs["count"] == 0 and theirs["leads"] == []
    # Linking the same person there makes their own lead, not ours.
    mine = _post(client, "list", {"target_client_domain": TCD}, desk["headers"]).json
    again = _post(client, "link-batch", {"target_client_domain": TCD,
                  "leads": [{"person_email": "aj@harness.io"}]}, desk["other_headers"]).json  # fmt: skip
    assert again["results"][0]["lead_id"] != mine["leads"][0]["id"]
    audited = db.session.execute(
        db.select(AuditLog.action).where(AuditLog.workspace_id == desk["workspace"].id)
    ).scalars()
    assert "api.target_client.batch_linked" in set(audited)
