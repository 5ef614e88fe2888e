"""The lead's pipeline after discovery: enrich → deliver → upload, each a job of its own.

    pipeline.enrich  (lead_id, force=False)  contacts; then pipeline.deliver as a child run
    pipeline.deliver (lead_id)               e-mail, Slack, webhooks; then pipeline.upload
    pipeline.upload  (lead_id)               the lead's platform batch (hot and warm only)

Each is idempotent: a contact once per e-mail, a channel sent once, a lead uploaded once,
so a retry, a re-run or a killed worker's run creates nothing twice. A step that fails
raises, so RQ retries it (3 times, backing off); on the last attempt the lead records
the failure. Thin: load by id, call webapp/services/pipeline/, commit, enqueue the next.
"""

from __future__ import annotations

import logging
import uuid

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.jobs.runner import GiveUp, error_text
from webapp.models import Lead
from webapp.models.enrichment import CHANNELS, LeadDelivery
from webapp.providers import contacts, email, platforms, slack  # noqa: F401  (see below)
from webapp.providers.http import ProviderError
from webapp.services.pipeline import delivery, enrichment, upload
from webapp.services.pipeline.credits import CreditsExhausted

# The provider modules (and with them httpcore and the TLS context) are imported here, not
# where they are called: a forking worker imports every job module before it forks, so each
# job starts with them loaded instead of spending ~100 ms of CPU loading them again.

log = logging.getLogger(__name__)
ENRICH, DELIVER, UPLOAD = "pipeline.enrich", "pipeline.deliver", "pipeline.upload"


def final_attempt() -> bool:
    """True when no retry follows this attempt (inline work never retries)."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover
        return True
    current = get_current_job()
    return current is None or not current.retries_left


def _hopeless(exc: Exception) -> bool:
    """A provider's answer no retry can change (a refused URL, a key that cannot be sent,
    a 4xx other than 429): the step fails for good instead of being retried."""
    return isinstance(exc, ProviderError) and not exc.retryable


def _lead(lead_id: str, lock: bool = False) -> Lead | None:
    """The lead as stored now; `lock` holds its row (PostgreSQL) until the next commit, so
    two runs for one lead (the chain and a button) store contacts or send a channel in turn."""
    return db.session.get(
        Lead,
        uuid.UUID(str(lead_id)),
        populate_existing=True,
        with_for_update={"of": Lead} if lock else None,
    )


def _next(kind: str, lead_id: str, workspace_id: uuid.UUID, run) -> None:
    """Enqueue the lead's next step. Ids, not the lead: after a commit, reading the lead
    would load it again, holding a connection while the run row is written on another."""
    from webapp.jobs import enqueue

    lead_id = uuid.UUID(str(lead_id))
    enqueue(kind, str(lead_id), workspace_id=workspace_id, parent=run.id, subject=("lead", lead_id))


@job(ENRICH, label="Lead enrichment", warm=True)
def enrich_lead(run, lead_id: str, force: bool = False) -> str:
    """Find the lead's contacts (or skip it, saying why), then start its delivery."""
    lead = _lead(lead_id)
    if lead is None:
        run.discard()
        return "gone"
    workspace_id = lead.workspace_id
    if not force and lead.enrichment_status in ("completed", "skipped"):
        status = lead.enrichment_status
        db.session.commit()
        run.tell("Already enriched; delivery continues.")
        _next(DELIVER, lead_id, workspace_id, run)
        return status
    reason = enrichment.begin_enrichment(lead)
    if reason is not None:
        enrichment.record_skip(db.session, lead, reason)
        db.session.commit()
        run.tell(f"Skipped: {enrichment.SKIP_REASONS[reason]}.")
        _next(DELIVER, lead_id, workspace_id, run)
        return "skipped"
    if enrichment.credits_left(db.session, workspace_id) < enrichment.ENRICHMENT_COST:
        return _out_of_credits(run, lead)
    domain, name = enrichment.company_domain(lead), lead.company_name
    db.session.commit()  # "running" shows while the provider answers
    try:
        found = enrichment.find_contacts(db.session, workspace_id, domain, name)
        lead = _lead(lead_id, lock=True)
        contacts = enrichment.store_enrichment(db.session, lead, found)
        primary = next((c for c in contacts if c.is_primary), None)
        primary_name = primary and (primary.full_name or primary.email)
        db.session.commit()
    except CreditsExhausted:
        db.session.rollback()
        return _out_of_credits(run, _lead(lead_id))
    except Exception as exc:
        db.session.rollback()
        hopeless = _hopeless(exc)
        lead = _lead(lead_id)
        if lead is not None:
            enrichment.fail_enrichment(lead, error_text(exc), hopeless or final_attempt())
            db.session.commit()
        if hopeless:
            raise GiveUp(error_text(exc)) from None
        raise
    run.count(contacts=len(found))
    run.tell(
        f"{len(found)} contact{'' if len(found) == 1 else 's'} found"
        + (f"; primary: {primary_name}." if primary_name else ".")
    )
    _next(DELIVER, lead_id, workspace_id, run)
    return "completed"


def _out_of_credits(run, lead: Lead) -> str:
    """The day's credits are used: the lead waits (pending), the run says why, no retry."""
    lead.enrichment_status = "pending"
    lead.enrichment_error = "Daily credit limit reached: enrichment waits for tomorrow's credits."
    db.session.commit()
    run.tell("Stopped: the workspace's daily credits are used up.")
    return "no_credits"


@job(DELIVER, label="Lead delivery", warm=True)
def deliver_lead(run, lead_id: str) -> str:
    """Each channel on its own, committed one by one; then the upload of hot and warm leads.

    Raises (so RQ retries) when a channel failed; the retry tries only what failed.
    """
    lead = _lead(lead_id, lock=True)
    if lead is None:
        run.discard()
        return "gone"
    workspace_id = lead.workspace_id
    config = delivery.channel_config(db.session, lead)
    rows = delivery.open_deliveries(db.session, lead)
    row_ids = {channel: row.id for channel, row in rows.items()}
    db.session.commit()  # the rows (their ids key the e-mail) outlive a killed worker
    newly_sent, failed, unknown = [], [], []
    for channel in CHANNELS:
        row = _channel_to_send(row_ids[channel], config)
        if row is None:
            if _status(row_ids[channel]) == "unknown":
                unknown.append(channel)
            db.session.commit()
            continue
        delivery.deliver_channel(db.session, lead, row, config)
        (newly_sent if row.status == "sent" else failed if row.status == "failed" else []).append(
            channel
        )
        if row.status == "failed":
            run.count(failed=1)
        elif row.status == "sent":
            run.count(sent=1)
        db.session.commit()
    lead = _lead(lead_id, lock=True)
    status = delivery.settle_delivery(db.session, lead, newly_sent)
    upload_due = delivery.request_upload(lead)
    db.session.commit()
    if upload_due:
        _next(UPLOAD, lead_id, workspace_id, run)
    if failed or unknown:
        errors = delivery.lead_deliveries(db.session, lead.id)
        detail = "; ".join(f"{c}: {errors[c].error}" for c in failed + unknown)
        if failed:  # a retry tries these again (never an unknown one)
            raise delivery.ChannelFailed(f"Delivery {status}: {detail}")
        raise GiveUp(f"Delivery {status}: {detail}")
    run.tell(f"Delivery {status}.")
    return status


def _channel_to_send(row_id: uuid.UUID, config: dict):
    """The channel's row, locked, when it is to be sent now; else None (nothing to send).

    None when a Redeliver deleted it, another run sent it, or its outcome is unknown (a
    worker stopped while sending it). An at-most-once channel (Slack, SMTP) is committed
    as `sending` first, so a worker killed in the send leaves a row that says so.
    """
    row = delivery.lock_delivery(db.session, row_id)
    if row is None or row.status in ("sent", "unknown"):
        return None
    if row.status == "sending" and not delivery.at_most_once(row, config):
        return row  # the e-mail API: resent with the same Idempotency-Key
    if not delivery.mark_sending(row, config):
        return None if row.status == "unknown" else row
    db.session.commit()
    row = delivery.lock_delivery(db.session, row_id)
    return row if row is not None and row.status == "sending" else None


def _status(row_id: uuid.UUID) -> str | None:
    row = db.session.get(LeadDelivery, row_id)
    return row.status if row is not None else None


@job(UPLOAD, label="Platform upload", warm=True)
def upload_lead(run, lead_id: str) -> int:
    """Upload the lead's platform batch; returns how many leads were uploaded."""
    lead = _lead(lead_id)
    if lead is None:
        run.discard()
        return 0
    if not delivery.due_for_upload(lead) or lead.upload_requested_at is None:
        db.session.commit()
        run.tell(
            "Already uploaded."
            if lead.uploaded
            else f"Not uploaded: {lead.intent} leads stay for nurturing."
        )
        return 0
    route = upload.route_for(db.session, lead)
    if route is None or not route.active:
        db.session.commit()
        run.tell(f"Not uploaded: uploads for {lead.industry or 'this industry'} are off.")
        return 0
    leads = upload.due_batch(db.session, lead, route)
    if not leads:  # another worker holds this lead's batch
        db.session.commit()
        run.tell("Taken by another upload.")
        return 0
    payloads = [upload.upload_payload(db.session, one) for one in leads]
    ids = [one.id for one in leads]
    try:
        results = platforms.upload_leads(route, payloads)
    except Exception as exc:
        db.session.rollback()
        upload.record_failed_upload(
            db.session,
            route.platform_name,
            lead.workspace_id,
            ids,
            getattr(exc, "status", None),
            error_text(exc),
        )
        db.session.commit()
        if _hopeless(exc):
            raise GiveUp(error_text(exc)) from None
        raise
    upload_row = upload.record_upload(db.session, route, leads, results)
    db.session.commit()
    done = sum(1 for one in leads if one.uploaded)
    run.count(uploaded=done, rejected=len(leads) - done)
    run.tell(f"{done} lead{'' if done == 1 else 's'} uploaded to {upload_row.platform}.")
    return done
