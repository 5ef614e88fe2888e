"""Public capture: POST /api/v1/leads, its contract, spam guard, dedupe and idempotency."""

import logging
import time
import uuid

import pytest

from webapp.models import Event, Lead, LeadActivity
from webapp.models.forms import CaptureForm, IdempotencyKey, SpamSubmission


@pytest.fixture()
def workspace(factory):
    return factory.workspace()


@pytest.fixture()
def form(db, workspace):
    form = CaptureForm(
        workspace_id=workspace.id, name="Contact us", allowed_origins=["https://www.acme.example"]
    )
    db.session.add(form)
    db.session.commit()
    return form


def post(client, form, body, **headers):
    headers.setdefault("X-Form-Key", form.public_key)
    return client.post("/api/v1/leads", json=body, headers=headers)


def count(db, model):
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


VALID = {
    "name": "John Doe",
    "email": "john@example.com",
    "phone": "+919876543210",
    "company": "Acme Corp",
    "message": "Interested in your services",
    "source": "website",
}


def test_creates_a_lead_with_the_seed_answer(client, db, form):
    response = post(client, form, VALID)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "name", "email", "status", "created_at"}
    assert (body["name"], body["email"], body["status"]) == ("John Doe", "john@example.com", "new")
    assert body["created_at"].endswith("Z")
    lead = db.session.get(Lead, uuid.UUID(body["id"]))
    assert lead.phone == "+919876543210" and lead.company_name == "Acme Corp"
    assert (lead.first_name, lead.last_name, lead.source) == ("John", "Doe", "website")
    assert lead.message == "Interested in your services"
    activity = db.session.execute(db.select(LeadActivity)).scalar_one()
    assert activity.activity_type == "created"
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.payload["event_type"] == "LeadCreated" and event.payload["lead_id"] == body["id"]


def test_form_key_in_the_body_and_extra_fields_kept(client, db, form):
    body = {
        **VALID,
        "form_key": form.public_key,
        "utm_source": "newsletter",
        "page_url": "https://www.acme.example/pricing",
        "favourite_colour": "teal",
        "consent": True,
        "job_title": "CTO",
    }
    response = client.post("/api/v1/leads", json=body)
    assert response.status_code == 201
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert lead.job_title == "CTO"
    assert lead.raw_data["utm_source"] == "newsletter"
    assert lead.raw_data["favourite_colour"] == "teal"
    assert lead.raw_data["form_name"] == "Contact us"


@pytest.mark.parametrize(
    "change,field,reason",
    [
        ({"name": ""}, "name", "is required"),
        ({"email": None}, "email", "is required"),
        ({"email": "not-an-email"}, "email", "@"),
        ({"phone": "12"}, "phone", "phone"),
        ({"source": "billboard"}, "source", "must be one of"),
        ({"name": "x" * 300}, "name", "at most 255"),
        ({"message": "x" * 10_001}, "message", "at most 10000"),
        ({"consent": "perhaps"}, "consent", "true or false"),
        ({"message": "Hi\x00there"}, "message", "NUL"),
        ({"company": "\x00"}, "company", "NUL"),
    ],
)
def test_validation_errors_name_the_field(client, db, form, change, field, reason):
    response = post(client, form, {**VALID, **change})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors and reason in errors[field][0]
    assert count(db, Lead) == 0


def test_an_email_reason_ends_in_one_period(client, db, form):
    response = post(client, form, {**VALID, "email": "ann..lee@example.com"})
    assert response.status_code == 422
    (reason,) = response.get_json()["errors"]["email"]
    assert reason == "An email address cannot have two periods in a row"
    assert response.get_json()["message"].endswith("cannot have two periods in a row.")


def test_missing_or_unknown_form_key_is_404(client, form):
    assert client.post("/api/v1/leads", json=VALID).status_code == 404
    response = client.post("/api/v1/leads", json=VALID, headers={"X-Form-Key": "pk_nope"})
    assert response.status_code == 404
    assert "form key" in response.get_json()["message"]


def test_form_key_with_a_nul_character_is_404(client, form):
    response = post(client, form, {**VALID, "form_key": "pk_\x00"}, **{"X-Form-Key": ""})
    assert response.status_code == 404


def test_inactive_form_is_404(client, db, form):
    assert post(client, form, VALID).status_code == 201  # the form is now cached
    form.active = False
    db.session.commit()
    assert post(client, form, {**VALID, "email": "later@example.com"}).status_code == 404


def test_body_that_is_not_json_is_400(client, form):
    response = client.post(
        "/api/v1/leads",
        data="name=x",
        headers={"X-Form-Key": form.public_key, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    response = client.post(
        "/api/v1/leads", json=["a", "list"], headers={"X-Form-Key": form.public_key}
    )
    assert response.status_code == 400


def test_body_over_64_kb_is_413(client, db, form):
    response = post(client, form, {**VALID, "message": "x" * (65 * 1024)})
    assert response.status_code == 413
    assert count(db, Lead) == 0


def test_a_capture_stores_lead_activity_and_event_together(client, db, form):
    key = form.public_key
    db.session.close()  # the request starts with an idle session, as in production
    response = client.post("/api/v1/leads", json=VALID, headers={"X-Form-Key": key})
    assert response.status_code == 201
    lead = db.session.get(Lead, uuid.UUID(response.get_json()["id"]))
    assert lead.email == "john@example.com"
    assert (count(db, Lead), count(db, LeadActivity), count(db, Event)) == (1, 1, 1)
    again = client.post(
        "/api/v1/leads", json={**VALID, "company": "Other"}, headers={"X-Form-Key": key}
    )
    assert again.get_json()["id"] == str(lead.id)
    assert (count(db, Lead), count(db, LeadActivity), count(db, Event)) == (1, 2, 1)


def test_same_email_again_adds_activity_and_fills_empty_fields(client, db, form):
    first = post(client, form, {"name": "Jo Smith", "email": "jo@example.com"}).get_json()
    again = post(
        client,
        form,
        {
            "name": "Jo Smith",
            "email": " JO@example.com ",
            "company": "Initech",
            "message": "Second note",
        },
    )
    assert again.status_code == 200  # nothing new was created
    assert again.get_json()["id"] == first["id"]
    assert count(db, Lead) == 1
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert lead.company_name == "Initech"
    kinds = sorted(a.activity_type for a in db.session.execute(db.select(LeadActivity)).scalars())
    assert kinds == ["created", "form_submitted"]
    assert count(db, Event) == 1  # one LeadCreated, no second one
    assert lead.raw_data["submissions"][-1]["message"] == "Second note"


def test_a_duplicate_never_mixes_two_names(client, db, form):
    post(client, form, {"name": "Ann", "email": "mix@example.com"})
    post(client, form, {"name": "Bob Smith", "email": "mix@example.com", "company": "Initech"})
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert (lead.full_name, lead.first_name, lead.last_name) == ("Ann", "Ann", None)
    assert lead.company_name == "Initech"  # other empty fields are still filled


def test_honeypot_gets_the_same_answer_and_is_quarantined(client, db, form):
    response = post(client, form, {**VALID, "website_url": "http://spam.example"})
    assert response.status_code == 201
    assert set(response.get_json()) == {"id", "name", "email", "status", "created_at"}
    assert count(db, Lead) == 0
    held = db.session.execute(db.select(SpamSubmission)).scalar_one()
    assert held.reason == "honeypot" and held.payload["email"] == "john@example.com"


def test_too_fast_is_quarantined_and_a_patient_person_is_not(client, db, form):
    now_ms = int(time.time() * 1000)
    assert post(client, form, {**VALID, "_ts": now_ms - 500}).status_code == 201
    assert count(db, Lead) == 0 and count(db, SpamSubmission) == 1
    assert post(client, form, {**VALID, "_ts": now_ms - 20_000}).status_code == 201
    assert count(db, Lead) == 1


@pytest.mark.parametrize("stamp", ["nan", "inf", "-inf", "soon"])
def test_a_fill_time_that_is_not_a_time_is_quarantined(client, db, form, stamp):
    assert post(client, form, {**VALID, "_ts": stamp}).status_code == 201
    assert count(db, Lead) == 0
    assert db.session.execute(db.select(SpamSubmission)).scalar_one().reason == "bad fill time"


def test_a_form_post_without_its_fill_time_is_quarantined(client, db, form):
    """The hosted page always sends it; a bot posting the fields alone does not."""
    page = client.get(f"/f/{form.public_key}").get_data(as_text=True)
    assert 'name="_ts"' in page
    person = {
        "name": "Pat Lee",
        "email": "pat@example.com",
        "_ts": str(int(time.time() - 30) * 1000),
    }
    assert client.post(f"/f/{form.public_key}", data=person).status_code == 200
    bot = {"name": "Bot", "email": "bot@example.com"}
    assert client.post(f"/f/{form.public_key}", data=bot).status_code == 200
    assert [lead.email for lead in db.session.execute(db.select(Lead)).scalars()] == [
        "pat@example.com"
    ]
    assert db.session.execute(db.select(SpamSubmission)).scalar_one().reason == "no fill time"
    # JSON clients may leave it out.
    assert post(client, form, {**VALID, "email": "api@example.com"}).status_code == 201
    assert count(db, Lead) == 2


def test_release_from_quarantine_creates_the_lead(client, db, form):
    from webapp.services.capture.submissions import release_spam_submission

    post(client, form, {**VALID, "website_url": "x"})
    held = db.session.execute(db.select(SpamSubmission)).scalar_one()
    result = release_spam_submission(db.session, form.workspace_id, held.id, None)
    db.session.commit()
    assert result.created and result.lead.email == "john@example.com"
    assert held.released_lead_id == result.lead.id
    kinds = [a.activity_type for a in result.lead.activities]
    assert sorted(kinds) == ["created", "form_submitted"]  # created, then released


def test_release_into_an_existing_lead_is_one_activity(client, db, form):
    from webapp.services.capture.submissions import release_spam_submission

    post(client, form, {**VALID, "website_url": "x", "job_title": "CTO"})
    post(client, form, VALID)  # the same person, now as a lead
    lead = db.session.execute(db.select(Lead)).scalar_one()
    held = db.session.execute(db.select(SpamSubmission)).scalar_one()
    result = release_spam_submission(db.session, form.workspace_id, held.id, None)
    db.session.commit()
    assert not result.created and result.lead.id == lead.id
    released = (
        db.session.execute(
            db.select(LeadActivity)
            .where(LeadActivity.lead_id == lead.id)
            .order_by(LeadActivity.created_at)
        )
        .scalars()
        .all()
    )
    assert [a.activity_type for a in released] == ["created", "form_submitted"]
    assert released[1].description.startswith(f"Released from the spam quarantine of {form.name}")
    assert "filled job title" in released[1].description
    assert released[1].data["spam_submission_id"] == str(held.id)


def test_idempotency_key_replays_the_first_answer(client, db, form):
    first = post(client, form, VALID, **{"Idempotency-Key": "abc-123"})
    second = post(client, form, VALID, **{"Idempotency-Key": "abc-123"})
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert count(db, Lead) == 1
    assert count(db, LeadActivity) == 1


def test_idempotency_key_with_another_body_is_422(client, db, form):
    post(client, form, VALID, **{"Idempotency-Key": "k1"})
    response = post(client, form, {**VALID, "name": "Someone Else"}, **{"Idempotency-Key": "k1"})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]


def test_idempotency_key_while_first_is_running_is_409(client, db, form):
    from webapp.services.capture.idempotency import request_fingerprint

    db.session.add(
        IdempotencyKey(form_id=form.id, key="busy", request_hash=request_fingerprint(VALID))
    )
    db.session.commit()
    response = post(client, form, VALID, **{"Idempotency-Key": "busy"})
    assert response.status_code == 409
    assert count(db, Lead) == 0


def test_idempotency_key_is_freed_after_a_validation_error(client, db, form):
    assert (
        post(client, form, {**VALID, "email": "bad"}, **{"Idempotency-Key": "fix-me"}).status_code
        == 422
    )
    assert (
        post(client, form, {**VALID, "email": "bad"}, **{"Idempotency-Key": "fix-me"}).status_code
        == 422
    )
    assert count(db, IdempotencyKey) == 0


def test_eleventh_post_in_an_hour_is_429(client, db, form):
    for n in range(10):
        response = post(client, form, {**VALID, "email": f"p{n}@example.com"})
        assert response.status_code == 201, response.get_data(as_text=True)
    response = post(client, form, {**VALID, "email": "p10@example.com"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert count(db, Lead) == 10


def test_forwarded_for_is_ignored_without_trusted_proxies(client, db, form):
    for n in range(10):
        post(
            client,
            form,
            {**VALID, "email": f"q{n}@example.com"},
            **{"X-Forwarded-For": f"10.0.0.{n}"},
        )
    response = post(
        client, form, {**VALID, "email": "q10@example.com"}, **{"X-Forwarded-For": "10.9.9.9"}
    )
    assert response.status_code == 429


def test_forms_have_their_own_rate_limit(client, db, form, workspace):
    strict = CaptureForm(workspace_id=workspace.id, name="Strict", rate_limit_per_hour=2)
    db.session.add(strict)
    db.session.commit()
    assert post(client, strict, {**VALID, "email": "a@example.com"}).status_code == 201
    assert post(client, strict, {**VALID, "email": "b@example.com"}).status_code == 201
    assert post(client, strict, {**VALID, "email": "c@example.com"}).status_code == 429
    assert post(client, form, {**VALID, "email": "d@example.com"}).status_code == 201


def test_capture_keeps_working_when_redis_is_down(make_app, monkeypatch, db, form, caplog):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    broken = make_app()
    with caplog.at_level(logging.WARNING):
        for n in range(3):
            response = broken.test_client().post(
                "/api/v1/leads",
                json={**VALID, "email": f"r{n}@example.com"},
                headers={"X-Form-Key": form.public_key},
            )
            assert response.status_code == 201, response.get_data(as_text=True)
    assert "falling back to in-memory storage" in caplog.text
    assert count(db, Lead) == 3


def test_cors_preflight_for_an_allowed_origin(client, form):
    response = client.options(
        "/api/v1/leads",
        headers={
            "Origin": "https://www.acme.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-form-key",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://www.acme.example"
    assert "X-Form-Key" in response.headers["Access-Control-Allow-Headers"]
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_cors_preflight_refused_for_other_origins(client, form):
    response = client.options(
        "/api/v1/leads",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_post_from_allowed_and_other_origins(client, db, form):
    ok = post(client, form, VALID, Origin="https://www.acme.example")
    assert ok.status_code == 201
    assert ok.headers["Access-Control-Allow-Origin"] == "https://www.acme.example"
    refused = post(client, form, {**VALID, "email": "x@example.com"}, Origin="https://evil.example")
    assert refused.status_code == 403
    assert count(db, Lead) == 1


def test_round_robin_assignment_takes_turns(client, db, factory, workspace):
    ann = factory.user(workspace, name="Ann")
    ben = factory.user(workspace, name="Ben")
    form = CaptureForm(
        workspace_id=workspace.id,
        name="RR",
        assignment_mode="round_robin",
        round_robin_user_ids=[str(ann.id), str(ben.id)],
    )
    db.session.add(form)
    db.session.commit()
    owners = []
    for n in range(4):
        body = post(client, form, {**VALID, "email": f"rr{n}@example.com"}).get_json()
        lead = db.session.get(Lead, uuid.UUID(body["id"]))
        owners.append(lead.assigned_to_id)
    assert owners == [ann.id, ben.id, ann.id, ben.id]
    assert count(db, Event) == 8  # LeadCreated + LeadAssigned each


def test_owner_assignment(client, db, factory, workspace):
    owner = factory.user(workspace)
    form = CaptureForm(
        workspace_id=workspace.id, name="Owned", assignment_mode="owner", owner_id=owner.id
    )
    db.session.add(form)
    db.session.commit()
    body = post(client, form, VALID).get_json()
    lead = db.session.get(Lead, uuid.UUID(body["id"]))
    assert lead.assigned_to_id == owner.id


def test_trusted_proxy_gives_each_client_its_own_limit(make_app, monkeypatch, db, form):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    behind_proxy = make_app().test_client()
    for n in range(12):  # twelve different visitors behind one proxy: none is limited
        response = behind_proxy.post(
            "/api/v1/leads",
            json={**VALID, "email": f"v{n}@example.com"},
            headers={"X-Form-Key": form.public_key, "X-Forwarded-For": f"203.0.113.{n}"},
        )
        assert response.status_code == 201
    for _ in range(10):
        behind_proxy.post(
            "/api/v1/leads",
            json={**VALID, "email": "same@example.com"},
            headers={"X-Form-Key": form.public_key, "X-Forwarded-For": "198.51.100.7"},
        )
    response = behind_proxy.post(
        "/api/v1/leads",
        json={**VALID, "email": "same@example.com"},
        headers={"X-Form-Key": form.public_key, "X-Forwarded-For": "198.51.100.7"},
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    "text, reason",
    [
        ('"x": NaN', "NaN is not a JSON value"),
        ('"utm_source": Infinity', "Infinity is not a JSON value"),
        ('"x": 1e400', "the number 1e400 is out of range"),
        ('"name": "Jo \\ud800 Doe"', "lone UTF-16 surrogate"),
        ('"x": ' + "[" * 5000 + "]" * 5000, "nested more than 32 levels deep"),
        ('"x": ' + "[" * 100 + "]" * 100, "nested more than 32 levels deep"),
    ],
    ids=["nan", "infinity", "out-of-range", "surrogate", "very-deep", "deep"],
)
def test_json_that_cannot_be_stored_is_400_with_the_reason(client, db, form, text, reason):
    body = '{"name": "Jo Doe", "email": "jo@example.com", ' + text + "}"
    response = client.post(
        "/api/v1/leads",
        data=body,
        headers={"X-Form-Key": form.public_key, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert reason in response.json["message"]
    assert count(db, Lead) == 0


def test_a_surrogate_pair_is_an_ordinary_character(client, db, form):
    body = '{"name": "Jo \\ud83d\\ude00 Doe", "email": "jo@example.com"}'
    response = client.post(
        "/api/v1/leads",
        data=body,
        headers={"X-Form-Key": form.public_key, "Content-Type": "application/json"},
    )
    assert response.status_code == 201
    assert response.json["name"] == "Jo \U0001f600 Doe"


def test_the_hosted_form_and_the_json_endpoint_share_the_forms_limit(client, db, workspace):
    strict = CaptureForm(workspace_id=workspace.id, name="Strict", rate_limit_per_hour=3)
    db.session.add(strict)
    db.session.commit()
    assert post(client, strict, {**VALID, "email": "a@example.com"}).status_code == 201
    assert post(client, strict, {**VALID, "email": "b@example.com"}).status_code == 201
    hosted = {"name": "Cy", "email": "c@example.com", "_ts": str(int(time.time() - 60) * 1000)}
    assert client.post(f"/f/{strict.public_key}", data=hosted).status_code == 200
    refused = client.post(f"/f/{strict.public_key}", data={**hosted, "email": "d@example.com"})
    assert refused.status_code == 429
    assert post(client, strict, {**VALID, "email": "e@example.com"}).status_code == 429
    assert count(db, Lead) == 3


def test_every_answer_to_an_allowed_website_carries_cors(client, db, workspace):
    strict = CaptureForm(
        workspace_id=workspace.id,
        name="Strict",
        rate_limit_per_hour=4,
        allowed_origins=["https://www.acme.example"],
    )
    db.session.add(strict)
    db.session.commit()
    site = {"Origin": "https://www.acme.example", "X-Form-Key": strict.public_key}
    answers = [
        client.post("/api/v1/leads", data="{broken", headers=site, content_type="application/json"),
        client.post("/api/v1/leads", json={**VALID, "email": "bad"}, headers=site),
        client.post("/api/v1/leads", json={**VALID, "message": "x" * 70_000}, headers=site),
        client.post("/api/v1/leads", json=VALID, headers=site),
        client.post("/api/v1/leads", json=VALID, headers=site),
    ]
    assert [a.status_code for a in answers] == [400, 422, 413, 201, 429]
    for answer in answers:
        assert answer.headers["Access-Control-Allow-Origin"] == "https://www.acme.example"
    assert "Retry-After" in answers[-1].headers["Access-Control-Expose-Headers"]
    other = client.post(
        "/api/v1/leads", json=VALID, headers={**site, "Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_hosted_forms_429_is_the_forms_own_page(client, db, workspace):
    strict = CaptureForm(workspace_id=workspace.id, name="Strict form", rate_limit_per_hour=1)
    db.session.add(strict)
    db.session.commit()
    person = {"name": "Pat", "email": "pat@example.com", "_ts": str(int(time.time() - 30) * 1000)}
    assert client.post(f"/f/{strict.public_key}", data=person).status_code == 200
    again = client.post(f"/f/{strict.public_key}", data={**person, "company": "Initech"})
    assert again.status_code == 429
    assert int(again.headers["Retry-After"]) > 0
    page = again.get_data(as_text=True)
    assert "Strict form" in page and "sent too often from your address" in page
    assert 'value="Initech"' in page  # what was typed is kept
    assert "/login" not in page and "Set-Cookie" not in again.headers


@pytest.mark.parametrize(
    "body, names",
    [
        ({"last_name": "Smith"}, ("Smith", None, "Smith")),
        ({"first_name": "Ada"}, ("Ada", "Ada", None)),
        ({"name": "Ada  King Lovelace"}, ("Ada  King Lovelace", "Ada", "King Lovelace")),
        ({"name": "Cher"}, ("Cher", "Cher", None)),
    ],
    ids=["last-only", "first-only", "full", "one-word"],
)
def test_names_are_split_as_given(client, db, form, body, names):
    assert post(client, form, {**body, "email": "n@example.com"}).status_code == 201
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert (lead.full_name, lead.first_name, lead.last_name) == names


def test_text_fields_take_text_only(client, db, form):
    response = post(client, form, {**VALID, "name": 123, "page_url": 5})
    assert response.status_code == 422
    assert response.json["errors"] == {"name": ["must be text"], "page_url": ["must be text"]}


@pytest.mark.parametrize("stamp", [0, 1, -5])
def test_a_page_loaded_before_anyone_could_is_quarantined(client, db, form, stamp):
    assert post(client, form, {**VALID, "_ts": stamp}).status_code == 201
    assert count(db, Lead) == 0
    assert db.session.execute(db.select(SpamSubmission)).scalar_one().reason == "bad fill time"
