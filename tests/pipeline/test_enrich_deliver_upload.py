"""Enrich → deliver → upload, run through the job facade (inline) against the sandbox over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.pipeline.conftest import DOMAIN, RECIPIENT, company_lead
from webapp.jobs import enqueue
from webapp.models import CoreCompany, CorePerson, Event, JobRun, Lead, LeadActivity
from webapp.models.enrichment import BillingEvent, LeadContact, LeadDelivery, PlatformUpload
from webapp.models.providers import DeliverySettings
from webapp.models.webhooks import WebhookDelivery
from webapp.services.webhooks.delivery import relay_outbox

PAYLOAD_KEYS = {
    "id", "company_name", "domain", "industry", "employee_count", "revenue", "location",
    "intent_score", "intent_signals", "contacts", "primary_contact", "created_at", "enriched_at",
}  # fmt: skip

pytestmark = pytest.mark.usefixtures("inline")


def _enrich(lead, **kwargs):
    return enqueue(
        "pipeline.enrich",
        str(lead.id),
        workspace_id=lead.workspace_id,
        subject=("lead", lead.id),
        **kwargs,
    )


def _count(db, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.execute(query).scalar_one()


def _reloaded(db, lead) -> Lead:
    db.session.expire_all()
    return db.session.get(Lead, lead.id)


def test_a_hot_lead_is_enriched_delivered_and_uploaded(db, factory, wired, sandbox):
    lead = company_lead(db, factory, wired, intent="hot")
    run = _enrich(lead)

    lead = _reloaded(db, lead)
    assert run.status == "succeeded", run.error
    assert lead.enrichment_status == "completed" and lead.enrichment_skip_reason is None
    assert lead.enrichment_started_at <= lead.enrichment_completed_at
    contacts = (
        db.session.execute(select(LeadContact).where(LeadContact.lead_id == lead.id))
        .scalars()
        .all()
    )
    assert len(contacts) == 4
    primary = [c for c in contacts if c.is_primary]
    assert len(primary) == 1  # the first executive with a valid e-mail, not the director first
    assert (primary[0].seniority, primary[0].email_status) == ("executive", "valid")
    assert all(c.email.endswith("@" + DOMAIN) and c.core_person_id for c in contacts)
    company = db.session.execute(
        select(CoreCompany).where(CoreCompany.domain == DOMAIN)
    ).scalar_one()
    assert (company.name, company.industry, lead.core_company_id) == (
        "Blue Pulse",
        "Technology",
        company.id,
    )
    assert _count(db, CorePerson, core_company_id=company.id) == 4
    assert lead.core_person_id == primary[0].core_person_id

    # delivered on every channel: e-mail API, Slack, our webhooks (outbox events)
    assert lead.delivery_status == "delivered"
    rows = {d.channel: d for d in db.session.execute(select(LeadDelivery)).scalars()}
    assert {c: r.status for c, r in rows.items()} == {
        "email": "sent",
        "slack": "sent",
        "webhook": "sent",
    }
    (email,) = sandbox.received("email")
    assert email["to"] == [RECIPIENT] and "Blue Pulse" in email["subject"]
    assert primary[0].email in email["text"]
    assert len(sandbox.received("slack")) == 1
    events = (
        db.session.execute(select(Event.event_type).where(Event.lead_id == lead.id)).scalars().all()
    )
    assert {"LeadDelivered", "LeadQualified"} <= set(events)
    relay_outbox(db.session)  # the relay turns them into signed deliveries to the endpoint
    db.session.commit()
    assert _count(db, WebhookDelivery) == 2

    # uploaded to the Technology platform, logged and billed once
    assert (lead.uploaded, lead.upload_platform) == (True, "tech-platform")
    (upload,) = db.session.execute(select(PlatformUpload)).scalars().all()
    assert (upload.platform, upload.status, upload.lead_ids) == (
        "tech-platform",
        "succeeded",
        [str(lead.id)],
    )
    (bill,) = db.session.execute(select(BillingEvent)).scalars().all()
    assert (bill.kind, bill.lead_id, bill.platform, bill.units) == (
        "platform_upload",
        lead.id,
        "tech-platform",
        1,
    )
    (received,) = sandbox.received("platforms")
    assert received["platform"] == "tech-platform"
    payload = received["lead"]
    assert set(payload) == PAYLOAD_KEYS
    assert payload["location"] == {
        "city": "San Francisco",
        "state": "CA",
        "country": "United States",
    }
    assert (payload["id"], payload["domain"], payload["intent_score"]) == (
        str(lead.id),
        DOMAIN,
        "hot",
    )
    assert (payload["employee_count"], payload["revenue"]) == (250, 10000000)
    assert set(payload["intent_signals"][0]) == {
        "signal_type",
        "signal_strength",
        "detected_at",
        "source",
    }
    assert len(payload["intent_signals"]) == 4
    assert all(
        set(c) == {"full_name", "email", "title", "seniority", "department"}
        for c in payload["contacts"]
    )
    assert payload["primary_contact"] == {
        "full_name": primary[0].full_name, "email": primary[0].email, "title": primary[0].title
    }  # fmt: skip
    assert payload["created_at"].endswith("Z") and payload["enriched_at"].endswith("Z")

    # the chain is one run tree: enrich → deliver → upload
    kinds = {r.kind: r for r in db.session.execute(select(JobRun)).scalars()}
    assert kinds["pipeline.deliver"].parent_id == run.id
    assert kinds["pipeline.upload"].parent_id == kinds["pipeline.deliver"].id
    assert all(r.status == "succeeded" for r in kinds.values())
    activities = (
        db.session.execute(
            select(LeadActivity.activity_type).where(LeadActivity.lead_id == lead.id)
        )
        .scalars()
        .all()
    )
    assert {"enriched", "delivered", "uploaded"} <= set(activities)


def test_running_twice_adds_no_contact_delivery_upload_or_bill(db, factory, wired, sandbox):
    lead = company_lead(db, factory, wired, intent="warm", industry="Finance")
    _enrich(lead)
    _enrich(lead)  # the pipeline again: nothing twice
    _enrich(lead, force=True)  # "Enrich again": fetches again, stores no second contact
    enqueue("pipeline.deliver", str(lead.id), workspace_id=lead.workspace_id)
    enqueue("pipeline.upload", str(lead.id), workspace_id=lead.workspace_id)

    lead = _reloaded(db, lead)
    assert (lead.uploaded, lead.upload_platform) == (True, "finance-platform")
    assert _count(db, LeadContact, lead_id=lead.id) == 4
    assert _count(db, LeadDelivery, lead_id=lead.id) == 3
    assert len(sandbox.received("email")) == 1 and len(sandbox.received("slack")) == 1
    assert len(sandbox.received("platforms")) == 1
    assert _count(db, PlatformUpload) == 1 and _count(db, BillingEvent) == 1
    assert _count(db, Event, event_type="LeadDelivered") == 1


def test_a_cold_lead_is_delivered_but_never_uploaded(db, factory, wired, sandbox):
    lead = company_lead(db, factory, wired, intent="cold")
    _enrich(lead)
    run = enqueue("pipeline.upload", str(lead.id), workspace_id=lead.workspace_id)

    lead = _reloaded(db, lead)
    assert (lead.enrichment_status, lead.delivery_status) == ("completed", "delivered")
    assert (lead.uploaded, lead.upload_requested_at) == (False, None)
    assert sandbox.received("platforms") == [] and _count(db, PlatformUpload) == 0
    assert run.message == "Not uploaded: cold leads stay for nurturing."


def test_warm_leads_due_for_one_platform_go_in_one_batch(db, factory, wired, sandbox):
    first = company_lead(db, factory, wired, intent="warm", company_domain="northgrid.io")
    second = company_lead(db, factory, wired, intent="hot", company_domain="tandemlabs.com")
    other = company_lead(
        db, factory, wired, intent="hot", company_domain="cedarworks.io", industry="Retail"
    )
    for lead in (first, second, other):
        lead.upload_requested_at = lead.created_at
        lead.enrichment_status = "skipped"
    db.session.commit()
    enqueue("pipeline.upload", str(first.id), workspace_id=wired.id)

    batches = db.session.execute(select(PlatformUpload)).scalars().all()
    assert [(b.platform, sorted(b.lead_ids)) for b in batches] == [
        ("tech-platform", sorted([str(first.id), str(second.id)]))
    ]
    assert not _reloaded(db, other).uploaded  # another platform's lead waits for its own job

    lumber = company_lead(db, factory, wired, intent="warm", company_domain="tandemlabs.io",
                          industry="Manufacturing")  # fmt: skip
    lumber.upload_requested_at = lumber.created_at
    db.session.commit()
    enqueue("pipeline.upload", str(lumber.id), workspace_id=wired.id)  # Default → general
    enqueue("pipeline.upload", str(other.id), workspace_id=wired.id)
    batches = db.session.execute(select(PlatformUpload).order_by(PlatformUpload.created_at))
    assert [(b.platform, b.lead_ids) for b in batches.scalars()][1:] == [
        ("general-platform", [str(lumber.id)]),
        ("retail-platform", [str(other.id)]),
    ]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"company_domain": None}, "no_domain"),
        ({"company_domain": "gmail.com"}, "invalid_domain"),
        ({"company_domain": "www.example.com"}, "invalid_domain"),
        (
            {"company_name": None, "company_domain": "northgrid.io", "full_name": "Ann Lee"},
            "incomplete_company",
        ),
        ({"industry": None, "employee_count": None, "country": None}, "incomplete_company"),
    ],
)
def test_leads_without_a_valid_domain_or_company_data_are_skipped(
    db, factory, wired, sandbox, fields, reason
):
    lead = company_lead(db, factory, wired, intent="hot", **fields)
    run = _enrich(lead)

    lead = _reloaded(db, lead)
    assert (lead.enrichment_status, lead.enrichment_skip_reason) == ("skipped", reason)
    assert lead.enrichment_completed_at is not None
    assert _count(db, LeadContact) == 0 and _count(db, CoreCompany) == 0
    assert run.status == "succeeded" and run.message.startswith("Skipped: ")
    assert lead.delivery_status == "delivered"  # the chain goes on without contacts


def test_a_failing_channel_never_blocks_the_others(db, factory, wired, sandbox):
    sandbox.control(fail={"slack": {"status": 500, "times": 50}})
    lead = company_lead(db, factory, wired, intent="hot")
    _enrich(lead)

    lead = _reloaded(db, lead)
    rows = {d.channel: d for d in db.session.execute(select(LeadDelivery)).scalars()}
    assert (rows["email"].status, rows["webhook"].status) == ("sent", "sent")
    assert rows["slack"].status == "failed" and "500" in rows["slack"].error
    assert lead.delivery_status == "partial"
    assert len(sandbox.received("email")) == 1
    assert lead.uploaded  # hot: uploaded whatever Slack says
    deliver = db.session.execute(
        select(JobRun).where(JobRun.kind == "pipeline.deliver")
    ).scalar_one()
    assert deliver.status == "failed" and "slack" in deliver.error  # visible, with Retry

    sandbox.control(reset=True)
    enqueue("pipeline.deliver", str(lead.id), workspace_id=lead.workspace_id)  # the Retry
    rows = {d.channel: d for d in db.session.execute(select(LeadDelivery)).scalars()}
    assert rows["slack"].status == "sent" and rows["slack"].attempts == 2
    assert _reloaded(db, lead).delivery_status == "delivered"
    assert len(sandbox.received("email")) == 0  # reset above; the e-mail was not sent again


def test_email_goes_over_smtp_when_the_workspace_says_so(
    app, db, factory, wired, sandbox, smtp_server, monkeypatch
):
    inbox, port = smtp_server
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    settings = db.session.execute(
        select(DeliverySettings).where(DeliverySettings.workspace_id == wired.id)
    ).scalar_one()
    settings.email_transport = "smtp"
    settings.slack_webhook_url = None
    db.session.commit()
    lead = company_lead(db, factory, wired, intent="cold")
    _enrich(lead)

    (message,) = inbox.messages
    assert message.rcpt_tos == [RECIPIENT]
    assert b"Blue Pulse" in message.content
    rows = {d.channel: d.status for d in db.session.execute(select(LeadDelivery)).scalars()}
    assert rows == {"email": "sent", "slack": "skipped", "webhook": "sent"}
    assert sandbox.received("email") == []


def test_a_provider_failure_marks_the_lead_failed_with_the_error(db, factory, wired, sandbox):
    sandbox.control(fail={"contacts": {"status": 503, "times": 50, "retry_after": 0}})
    lead = company_lead(db, factory, wired)
    run = _enrich(lead)

    lead = _reloaded(db, lead)
    assert run.status == "failed" and "503" in run.error
    assert lead.enrichment_status == "failed" and "503" in lead.enrichment_error
    assert _count(db, LeadContact) == 0 and _count(db, LeadDelivery) == 0


def test_a_key_that_cannot_be_sent_fails_enrichment_for_good(db, factory, wired, sandbox):
    from webapp.models.providers import ProviderSetting

    setting = db.session.execute(
        select(ProviderSetting).where(ProviderSetting.provider == "contacts")
    ).scalar_one()
    setting.api_key = "sk_clé_9999"  # stored before keys had to be printable ASCII
    db.session.commit()
    lead = company_lead(db, factory, wired)
    run = _enrich(lead)

    lead = _reloaded(db, lead)
    assert run.status == "failed" and "only printable ASCII" in run.error
    assert "UnicodeEncodeError" not in run.error
    assert lead.enrichment_status == "failed" and "save the key again" in lead.enrichment_error
    assert _count(db, LeadDelivery) == 0


def test_at_the_daily_credit_limit_enrichment_stops_cleanly_and_says_why(
    db, factory, wired, sandbox
):
    wired.daily_credit_limit = 1
    db.session.commit()
    first = company_lead(db, factory, wired, intent="cold")
    second = company_lead(db, factory, wired, intent="cold", company_domain="northgrid.io")
    assert _enrich(first).status == "succeeded"
    run = _enrich(second)

    second = _reloaded(db, second)
    assert run.status == "succeeded"  # stopped, not failed: nothing to retry today
    assert run.message == "Stopped: the workspace's daily credits are used up."
    assert second.enrichment_status == "pending" and "credit" in second.enrichment_error
    assert _count(db, LeadContact, lead_id=second.id) == 0
    assert db.session.get(type(wired), wired.id).daily_credits_used == 1


class WorkerKilled(BaseException):
    """Stands for a worker killed at this point: nothing after it runs, nothing commits."""


def test_an_email_resent_after_a_killed_worker_is_sent_once_and_redeliver_sends_again(
    db, factory, wired, sandbox, monkeypatch
):
    from webapp.providers import email
    from webapp.services.pipeline.delivery import prepare_redelivery

    def deliver():
        enqueue("pipeline.deliver", str(lead.id), workspace_id=lead.workspace_id)

    lead = company_lead(db, factory, wired, intent="cold")
    send = email.send_email_api

    def killed_once_sent(*args, **kwargs):
        send(*args, **kwargs)  # the API has the message; its answer dies with the worker
        raise WorkerKilled

    monkeypatch.setattr(email, "send_email_api", killed_once_sent)
    with pytest.raises(WorkerKilled):
        deliver()
    db.session.rollback()
    monkeypatch.setattr(email, "send_email_api", send)
    row = db.session.execute(select(LeadDelivery).where(LeadDelivery.channel == "email")).scalar()
    (first,) = sandbox.received("email")
    assert row.status != "sent" and first["idempotency_key"] == f"leadkeeper-delivery-{row.id}"

    deliver()  # the retry sends again, with the same Idempotency-Key
    row = db.session.execute(select(LeadDelivery).where(LeadDelivery.channel == "email")).scalar()
    assert row.status == "sent"
    assert len(sandbox.received("email")) == 1  # the API sent it once
    assert _reloaded(db, lead).delivery_status == "delivered"

    prepare_redelivery(db.session, _reloaded(db, lead))  # "Redeliver": a new delivery
    db.session.commit()
    deliver()
    keys = [mail["idempotency_key"] for mail in sandbox.received("email")]
    assert len(keys) == 2 and keys[0] != keys[1]  # a new delivery, a new key
