"""Settings → Forms: admins create forms, copy snippets and review the spam quarantine."""

import re

import pytest

from webapp.models import Lead
from webapp.models.forms import CaptureForm, SpamSubmission


@pytest.fixture()
def admin(factory):
    workspace = factory.workspace()
    return factory.user(workspace, role="admin", name="Ada Admin")


@pytest.fixture()
def admin_client(client, admin):
    client.login(admin)
    return client


def _workspace_id(user):
    return user.memberships[0].workspace_id


def test_create_form_and_see_key_and_snippets(admin_client, admin, db, app):
    response = admin_client.post_form(
        "/settings/forms",
        {
            "name": "Pricing page",
            "allowed_origins": "https://www.acme.example/\nhttp://localhost:3000",
            "default_source": "referral",
            "assignment_mode": "owner",
            "owner_id": str(admin.id),
            "rate_limit_per_hour": "25",
            "min_fill_seconds": "4",
            "notification_emails": "sales@acme.example",
            "thank_you_url": "https://www.acme.example/thanks",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    form = db.session.execute(db.select(CaptureForm)).scalar_one()
    assert form.allowed_origins == ["https://www.acme.example", "http://localhost:3000"]
    assert (form.rate_limit_per_hour, form.owner_id, form.default_source) == (
        25,
        admin.id,
        "referral",
    )
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    base = app.config["BASE_URL"]
    assert form.public_key in page
    assert f"{base}/f/{form.public_key}" in page
    assert f"{base}/api/v1/leads" in page and "X-Form-Key" in page
    assert "&lt;form method=&#34;post&#34;" in page or '&lt;form method="post"' in page  # escaped
    assert 'name="website_url"' not in page.split('<pre tabindex="0">')[1].split("</pre>")[0]


def test_validation_errors_next_to_fields_and_values_kept(admin_client, db):
    response = admin_client.post_form(
        "/settings/forms",
        {
            "name": "",
            "allowed_origins": "https://ok.example/path",
            "rate_limit_per_hour": "0",
            "notification_emails": "nope",
            "assignment_mode": "round_robin",
            "slack_webhook_url": "http://hooks.slack.example/x",
            "thank_you_url": "ftp://x",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in (
        "name",
        "allowed_origins",
        "rate_limit_per_hour",
        "notification_emails",
        "round_robin_user_ids",
        "slack_webhook_url",
        "thank_you_url",
    ):
        assert f'id="e-{field}"' in page, field
    assert "https://ok.example/path" in page  # kept
    assert db.session.execute(db.select(CaptureForm)).scalar() is None


def test_edit_regenerate_key_and_switch_off(admin_client, admin, db):
    form = CaptureForm(workspace_id=_workspace_id(admin), name="Old name")
    db.session.add(form)
    db.session.commit()
    old_key = form.public_key
    assert admin_client.get(f"/settings/forms/{form.id}/edit").status_code == 200
    admin_client.post_form(
        f"/settings/forms/{form.id}", {"name": "New name", "rate_limit_per_hour": "5"}
    )
    admin_client.post_form(f"/settings/forms/{form.id}/key")
    admin_client.post_form(f"/settings/forms/{form.id}/active", {"active": "0"})
    db.session.refresh(form)
    assert (form.name, form.rate_limit_per_hour, form.active) == ("New name", 5, False)
    assert form.public_key != old_key


def test_quarantine_release_and_dismiss(admin_client, admin, db):
    workspace_id = _workspace_id(admin)
    form = CaptureForm(workspace_id=workspace_id, name="Contact")
    other_form = CaptureForm(workspace_id=workspace_id, name="Other")
    db.session.add_all([form, other_form])
    db.session.flush()
    held = SpamSubmission(
        workspace_id=workspace_id,
        form_id=form.id,
        reason="honeypot",
        payload={"name": "Maybe Human", "email": "maybe@example.com"},
    )
    junk = SpamSubmission(
        workspace_id=workspace_id,
        form_id=form.id,
        reason="filled too fast",
        payload={"name": "Bot", "email": "bot@example.com"},
    )
    elsewhere = SpamSubmission(
        workspace_id=workspace_id,
        form_id=other_form.id,
        reason="honeypot",
        payload={"name": "Else", "email": "else@example.com"},
    )
    db.session.add_all([held, junk, elsewhere])
    db.session.commit()

    page = admin_client.get(f"/settings/forms/{form.id}").get_data(as_text=True)
    assert "maybe@example.com" in page and "bot@example.com" in page
    assert "else@example.com" not in page

    response = admin_client.post_form(f"/settings/forms/{form.id}/quarantine/{held.id}/release")
    lead = db.session.execute(db.select(Lead)).scalar_one()
    assert response.headers["Location"] == f"/leads/{lead.id}"
    assert lead.email == "maybe@example.com"
    assert (
        admin_client.post_form(
            f"/settings/forms/{form.id}/quarantine/{junk.id}/dismiss"
        ).status_code
        == 302
    )
    # A submission of another form is not reachable through this form.
    assert (
        admin_client.post_form(
            f"/settings/forms/{form.id}/quarantine/{elsewhere.id}/release"
        ).status_code
        == 404
    )
    page = admin_client.get(f"/settings/forms/{form.id}").get_data(as_text=True)
    assert "Nothing held." in page


def test_reps_403_and_other_workspace_404(client, factory, db):
    workspace, other = factory.workspace(), factory.workspace()
    foreign = CaptureForm(workspace_id=other.id, name="Theirs")
    db.session.add(foreign)
    db.session.commit()
    client.login(factory.user(workspace, role="rep"))
    assert client.get("/settings/forms").status_code == 403
    admin_client = type(client)(client.application.test_client())
    admin_client.login(factory.user(workspace, role="admin"))
    for url in (f"/settings/forms/{foreign.id}", f"/settings/forms/{foreign.id}/edit"):
        assert admin_client.get(url).status_code == 404
    assert admin_client.post_form(f"/settings/forms/{foreign.id}/delete").status_code == 404


def test_hosted_form_page_post_and_rerender(client, db, factory):
    workspace = factory.workspace()
    form = CaptureForm(workspace_id=workspace.id, name="Demo request", min_fill_seconds=0)
    db.session.add(form)
    db.session.commit()
    page = client.get(f"/f/{form.public_key}").get_data(as_text=True)
    assert "Demo request" in page and 'name="website_url"' in page
    loaded = {"_ts": re.search(r'name="_ts" value="(\d+)"', page).group(1)}

    bad = client.post(
        f"/f/{form.public_key}",
        data={"name": "Pat", "email": "nope", "company": "Initech", **loaded},
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="e-email"' in text and 'value="Initech"' in text and 'value="Pat"' in text
    assert ">An email address must have an @-sign</small>" in text
    hidden = client.post(
        f"/f/{form.public_key}",
        data={"name": "Pat", "email": "pat@example.com", "consent": "maybe", **loaded},
    )
    assert hidden.status_code == 422
    assert "The form could not be sent: Consent must be true or false." in hidden.get_data(
        as_text=True
    )

    good = client.post(
        f"/f/{form.public_key}", data={"name": "Pat Lee", "email": "pat@example.com", **loaded}
    )
    assert good.status_code == 200 and "Thank you" in good.get_data(as_text=True)
    assert db.session.execute(db.select(Lead)).scalar_one().email == "pat@example.com"

    form.thank_you_url = "https://www.example.com/thanks"
    db.session.commit()
    again = client.post(
        f"/f/{form.public_key}", data={"name": "Sam", "email": "sam@example.com", **loaded}
    )
    assert (
        again.status_code == 303 and again.headers["Location"] == "https://www.example.com/thanks"
    )
    assert client.get("/f/pk_unknown").status_code == 404


def test_a_forms_slack_webhook_is_write_only(admin_client, admin, db):
    secret = "https://hooks.slack.com/services/T1/B1/s3cr3tXYZ9"
    form = CaptureForm(workspace_id=_workspace_id(admin), name="Demo", slack_webhook_url=secret)
    db.session.add(form)
    db.session.commit()
    mask = "https://hooks.slack.com/…/••••XYZ9"
    page = admin_client.get(f"/settings/forms/{form.id}/edit").get_data(as_text=True)
    assert secret not in page and "s3cr3t" not in page and mask in page
    fields = {"name": "Demo", "rate_limit_per_hour": "5"}

    for kept in ("", mask):  # blank, or the mask sent back, keeps it
        admin_client.post_form(f"/settings/forms/{form.id}", {**fields, "slack_webhook_url": kept})
        db.session.refresh(form)
        assert form.slack_webhook_url == secret
    refused = admin_client.post_form(
        f"/settings/forms/{form.id}",
        {**fields, "rate_limit_per_hour": "0", "slack_webhook_url": secret + "new"},
    )
    assert refused.status_code == 422 and "s3cr3t" not in refused.get_data(as_text=True)
    other = "https://hooks.slack.com/services/T2/B2/otherABCD"
    admin_client.post_form(f"/settings/forms/{form.id}", {**fields, "slack_webhook_url": other})
    db.session.refresh(form)
    assert form.slack_webhook_url == other
    admin_client.post_form(f"/settings/forms/{form.id}", {**fields, "clear_slack": "1"})
    db.session.refresh(form)
    assert form.slack_webhook_url is None
