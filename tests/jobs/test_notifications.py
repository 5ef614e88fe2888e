"""Form notifications go out over real SMTP and HTTP to local stand-ins."""

import logging

import pytest

from webapp.jobs.notifications import notify_form_submission
from webapp.jobs.runner import RunHandle
from webapp.models.forms import CaptureForm


@pytest.fixture()
def form_and_lead(db, factory):
    workspace = factory.workspace()
    lead = factory.lead(
        workspace,
        first_name="Nia",
        last_name="Njoku",
        email="nia@example.com",
        company_name="Globex",
        message="Call me about pricing",
    )
    form = CaptureForm(
        workspace_id=workspace.id,
        name="Pricing",
        notification_emails=["sales@example.com", "boss@example.com"],
    )
    db.session.add(form)
    db.session.commit()
    return form, lead


def test_email_reaches_every_recipient(app, monkeypatch, smtp_server, form_and_lead):
    inbox, port = smtp_server
    form, lead = form_and_lead
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    result = notify_form_submission(RunHandle(None), str(form.id), str(lead.id), True)
    assert result == {"sent": ["email"]}
    (envelope,) = inbox.messages
    assert sorted(envelope.rcpt_tos) == ["boss@example.com", "sales@example.com"]
    text = envelope.content.decode()
    assert "Subject: New lead from Pricing: Nia Njoku" in text
    assert "nia@example.com" in text and "Globex" in text and f"/leads/{lead.id}" in text


def test_slack_message_over_http(app, db, httpserver, form_and_lead):
    form, lead = form_and_lead
    form.notification_emails = []
    form.slack_webhook_url = httpserver.url_for("/services/T000/B000/XXX")
    db.session.commit()
    httpserver.expect_request("/services/T000/B000/XXX", method="POST").respond_with_data("ok")
    assert notify_form_submission(RunHandle(None), str(form.id), str(lead.id), False) == {
        "sent": ["slack"]
    }
    text = httpserver.log[0][0].get_json()["text"]
    assert "Lead submitted again from Pricing: Nia Njoku" in text


def test_smtp_down_raises_for_a_retry_and_hides_the_password(
    app, monkeypatch, form_and_lead, caplog
):
    form, lead = form_and_lead
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://mailer:s3cr3t-pass@127.0.0.1:1")
    with caplog.at_level(logging.DEBUG), pytest.raises(OSError):
        notify_form_submission(RunHandle(None), str(form.id), str(lead.id), True)
    assert "s3cr3t-pass" not in caplog.text


def test_capture_enqueues_the_notification(client, app, monkeypatch, smtp_server, form_and_lead):
    inbox, port = smtp_server
    form, _ = form_and_lead
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    if app.config["REDIS_URL"]:
        pytest.skip("with Redis the job waits for a worker; covered inline on the embedded default")
    response = client.post(
        "/api/v1/leads",
        json={"name": "Quinn", "email": "quinn@example.com"},
        headers={"X-Form-Key": form.public_key},
    )
    assert response.status_code == 201
    assert "New lead from Pricing: Quinn" in inbox.messages[0].content.decode()
