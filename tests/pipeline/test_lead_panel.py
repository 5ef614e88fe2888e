"""The lead page's pipeline panel, its admin buttons, and POST /api/v1/leads/{id}/enrich."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.factories import signed_in
from tests.pipeline.conftest import company_lead
from webapp.jobs import enqueue
from webapp.models import AuditLog, JobRun, Lead
from webapp.models.enrichment import LeadContact, LeadDelivery
from webapp.models.providers import DeliverySettings
from webapp.services.accounts.api_tokens import create_token
from webapp.services.pipeline.delivery import UNKNOWN_OUTCOME

pytestmark = pytest.mark.usefixtures("inline")


def _enrich(lead):
    return enqueue("pipeline.enrich", str(lead.id), workspace_id=lead.workspace_id)


def _runs(db, kind):
    db.session.expire_all()
    return db.session.execute(select(JobRun).where(JobRun.kind == kind)).scalars().all()


def _panel(client, lead) -> str:
    page = client.get(f"/leads/{lead.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    start = html.index('id="lead-pipeline"')
    return html[start : html.index("</article>", start)]


def test_the_panel_shows_query_signals_contacts_deliveries_and_upload(
    client, db, factory, wired, sandbox
):
    lead = company_lead(db, factory, wired, intent="hot")
    _enrich(lead)
    rep = factory.user(wired, role="rep")
    client.login(rep)

    html = _panel(client, lead)
    assert "AI automation tools" in html  # discovered by which query
    assert "4 signals" in html and "3 high · 1 medium · 0 low" in html
    primary = db.session.execute(
        select(LeadContact).where(LeadContact.lead_id == lead.id, LeadContact.is_primary)
    ).scalar_one()
    assert primary.email in html and "Primary</span>" in html
    assert html.count("<tr") == 5  # the header and four contacts
    for channel in ("delivery-email", "delivery-slack", "delivery-webhook"):
        section = html[html.index(f'id="{channel}"') :][:400]
        assert "Sent" in section, section
    assert "Uploaded</span> to <bdi>tech-platform</bdi>" in html
    assert "Enrich again" not in html  # reps see the pipeline, admins re-run it


def test_a_skipped_lead_says_why(client, db, factory, wired, sandbox):
    lead = company_lead(db, factory, wired, intent="cold", company_domain="gmail.com")
    _enrich(lead)
    client.login(factory.user(wired, role="admin"))

    html = _panel(client, lead)
    assert "Skipped</span> The company domain is not a valid public domain name." in html
    assert "Not uploaded: only hot and warm leads go to a platform." in html
    assert "Enrich again" in html and "Upload now" not in html  # cold: never uploaded


def test_enrich_again_redeliver_and_upload_now(client, db, factory, wired, sandbox):
    lead = company_lead(db, factory, wired, intent="warm")
    lead.enrichment_status = "skipped"  # as if an earlier run had skipped it
    db.session.commit()
    admin = factory.user(wired, role="admin")
    client.login(admin)

    answer = client.post_form(f"/leads/{lead.id}/pipeline/enrich")
    assert answer.status_code == 302 and answer.location.endswith(f"/leads/{lead.id}#lead-pipeline")
    (run,) = _runs(db, "pipeline.enrich")
    assert (run.subject_type, run.subject_id, run.started_by) == ("lead", str(lead.id), admin.id)
    assert run.kwargs == {"force": True} and run.status == "succeeded"
    assert db.session.get(Lead, lead.id).uploaded
    assert len(sandbox.received("email")) == 1
    html = _panel(client, lead)
    assert f'id="job-run-{run.id}"' in html or "job-run-" in html  # the progress widget

    client.post_form(f"/leads/{lead.id}/pipeline/redeliver")
    assert len(sandbox.received("email")) == 2  # every channel again, on purpose
    actions = (
        db.session.execute(select(AuditLog.action).where(AuditLog.object_id == str(lead.id)))
        .scalars()
        .all()
    )
    assert {"lead.enrich_requested", "lead.redeliver_requested"} <= set(actions)

    already = client.post_form(f"/leads/{lead.id}/pipeline/upload", follow_redirects=True)
    assert "Already uploaded to tech-platform." in already.get_data(as_text=True)
    assert len(_runs(db, "pipeline.upload")) == 1  # the chain's; the button started none


def test_upload_now_uploads_a_hot_lead_and_refuses_a_cold_one(client, db, factory, wired, sandbox):
    hot = company_lead(db, factory, wired, intent="hot")
    cold = company_lead(db, factory, wired, intent="cold", company_domain="northgrid.io")
    client.login(factory.user(wired, role="admin"))

    client.post_form(f"/leads/{hot.id}/pipeline/upload")
    db.session.expire_all()
    assert db.session.get(Lead, hot.id).uploaded
    refused = client.post_form(f"/leads/{cold.id}/pipeline/upload", follow_redirects=True)
    assert "Only hot and warm leads are uploaded; this one is cold." in refused.get_data(
        as_text=True
    )
    assert [r.subject_id for r in _runs(db, "pipeline.upload")] == [str(hot.id)]


def test_buttons_need_an_admin_a_csrf_token_and_the_lead_in_the_workspace(client, db, factory):
    workspace, _rep = signed_in(client, factory, role="rep")
    lead = factory.lead(workspace)
    elsewhere = factory.lead(factory.workspace())
    for action in ("enrich", "redeliver", "upload"):
        assert client.post_form(f"/leads/{lead.id}/pipeline/{action}").status_code == 403
    client.login(factory.user(workspace, role="admin"))
    for action in ("enrich", "redeliver", "upload"):
        assert client.post_form(f"/leads/{elsewhere.id}/pipeline/{action}").status_code == 404
        assert client.raw.post(f"/leads/{lead.id}/pipeline/{action}").status_code == 400
    assert db.session.execute(select(func.count()).select_from(JobRun)).scalar_one() == 0


def test_the_api_starts_an_enrichment_run(client, db, factory, wired, sandbox):
    admin = factory.user(wired, role="admin")
    token = create_token(db.session, wired.id, "pipeline", admin.id).secret
    db.session.commit()
    lead = company_lead(db, factory, wired, intent="cold")
    other = company_lead(db, factory, factory.workspace(), intent="cold")
    headers = {"Authorization": f"Bearer {token}"}

    answer = client.post(f"/api/v1/leads/{lead.id}/enrich", headers=headers)
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    run = db.session.get(JobRun, uuid.UUID(body["run_id"]))
    url = f"http://localhost/api/v1/pipeline/runs/{run.id}"
    assert answer.headers["Location"] == url
    assert body == {
        "run_id": str(run.id),
        "kind": "pipeline.enrich",
        "status": "succeeded",  # inline here; "queued" for a worker with Redis
        "subject_type": "lead",
        "subject_id": str(lead.id),
        "counts": body["counts"],
        "message": body["message"],
        "error": None,
        "created_at": body["created_at"],
        "started_at": body["started_at"],
        "finished_at": body["finished_at"],
        "url": url,
    }
    polled = client.get(url, headers=headers)
    assert polled.status_code == 200 and polled.get_json() == body  # the same shape, polled
    assert (run.started_by, run.subject_id) == (admin.id, str(lead.id))
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).enrichment_status == "completed"
    assert client.post(f"/api/v1/leads/{other.id}/enrich", headers=headers).status_code == 404
    assert client.post(f"/api/v1/leads/{uuid.uuid4()}/enrich", headers=headers).status_code == 404
    assert client.post(f"/api/v1/leads/{lead.id}/enrich").status_code == 401


class WorkerKilled(BaseException):
    """Stands for a worker killed at this point: nothing after it runs, nothing commits."""


def _killed_while_sending(db, monkeypatch, module, name, lead):
    """Run the delivery with `module.name` sending and then dying, as `kill -9` would."""
    send = getattr(module, name)

    def killed_once_sent(*args, **kwargs):
        send(*args, **kwargs)  # the message is out; the worker dies before recording it
        raise WorkerKilled

    monkeypatch.setattr(module, name, killed_once_sent)
    with pytest.raises(WorkerKilled):
        enqueue("pipeline.deliver", str(lead.id), workspace_id=lead.workspace_id)
    db.session.rollback()
    monkeypatch.setattr(module, name, send)


def _delivery(db, channel):
    db.session.expire_all()
    return db.session.execute(select(LeadDelivery).where(LeadDelivery.channel == channel)).scalar()


def test_slack_is_never_resent_after_a_killed_worker_and_redeliver_sends_it(
    client, db, factory, wired, sandbox, monkeypatch
):
    from webapp.providers import slack

    lead = company_lead(db, factory, wired, intent="cold")
    _killed_while_sending(db, monkeypatch, slack, "post_to_slack", lead)
    assert len(sandbox.received("slack")) == 1
    assert _delivery(db, "slack").status == "sending"  # what the killed worker left

    run = enqueue("pipeline.deliver", str(lead.id), workspace_id=lead.workspace_id)  # the retry
    assert len(sandbox.received("slack")) == 1  # not sent twice
    row = _delivery(db, "slack")
    assert row.status == "unknown" and row.error == UNKNOWN_OUTCOME
    assert run.status == "failed" and "outcome unknown" in run.error
    assert _delivery(db, "email").status == "sent"  # the other channels went on
    assert db.session.get(Lead, lead.id).delivery_status == "partial"
    enqueue("pipeline.deliver", str(lead.id), workspace_id=lead.workspace_id)  # a run again
    assert len(sandbox.received("slack")) == 1

    client.login(factory.user(wired, role="admin"))
    html = _panel(client, lead)
    assert "Unknown" in html and "use Redeliver to send again" in html
    client.post_form(f"/leads/{lead.id}/pipeline/redeliver")
    assert len(sandbox.received("slack")) == 2  # Redeliver sends it once more, on purpose
    assert _delivery(db, "slack").status == "sent"


def test_smtp_email_is_never_resent_after_a_killed_worker(
    app, db, factory, wired, sandbox, smtp_server, monkeypatch
):
    from webapp.providers import email

    inbox, port = smtp_server
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    settings = db.session.execute(
        select(DeliverySettings).where(DeliverySettings.workspace_id == wired.id)
    ).scalar_one()
    settings.email_transport = "smtp"
    db.session.commit()
    lead = company_lead(db, factory, wired, intent="cold")
    _killed_while_sending(db, monkeypatch, email, "send_email", lead)
    assert len(inbox.messages) == 1 and _delivery(db, "email").status == "sending"

    enqueue("pipeline.deliver", str(lead.id), workspace_id=lead.workspace_id)
    assert len(inbox.messages) == 1
    assert _delivery(db, "email").status == "unknown"
    assert len(sandbox.received("slack")) == 1  # Slack had not been tried: sent by the retry
