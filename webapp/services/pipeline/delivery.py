"""Delivering a lead to the workspace's channels: e-mail, Slack, our signed webhooks.

Each channel is tried on its own (`deliver_channel`) and its result kept in one
`lead_deliveries` row per (lead, channel): a channel already `sent` is never sent
again, so a retried or re-run delivery only tries what failed. The job commits the
rows before sending (`open_deliveries`) and after each channel, so a worker killed on
the second channel does not resend the first.

A worker killed in the middle of a send is where the channels differ:

- E-mail by the API (transport "api") may be sent again: the retry sends with the same
  `Idempotency-Key` (`idempotency_key`: the row's, the same for every attempt), and the
  API sends the message once.
- Slack and e-mail by SMTP have no idempotency: they are sent at most once. The row is
  committed as `sending` before the send (`mark_sending`); a retry that finds it still
  `sending` does not send again but records the outcome as `unknown`
  (`UNKNOWN_OUTCOME`, shown on the lead's pipeline panel). Redeliver sends it again.
- Webhooks are written to the events outbox in the same transaction as the row, so they
  are sent once: `LeadDelivered` (and, for hot and warm leads, `LeadQualified`); the
  relay signs and sends them to the endpoints subscribed.

"Redeliver" deletes the rows, so every channel is tried again (the e-mail with a new key).
Nothing here commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.base import utcnow
from webapp.models.enrichment import CHANNELS, LeadDelivery
from webapp.models.webhooks import WebhookEndpoint
from webapp.services.events.outbox import emit_event, iso
from webapp.services.leads.timeline import add_activity
from webapp.services.pipeline.enrichment import lead_contacts

UPLOADED_INTENTS = ("hot", "warm")
DELIVERED_EVENT = "LeadDelivered"
QUALIFIED_EVENT = "LeadQualified"
CHANNEL_LABELS = {"email": "E-mail", "slack": "Slack", "webhook": "Webhooks"}


UNKNOWN_OUTCOME = "outcome unknown: the worker stopped while sending; use Redeliver to send again"


class ChannelFailed(RuntimeError):
    """One or more channels failed; raised after the others were tried and recorded."""


def lead_deliveries(session: Session, lead_id) -> dict[str, LeadDelivery]:
    rows = session.execute(select(LeadDelivery).where(LeadDelivery.lead_id == lead_id)).scalars()
    return {row.channel: row for row in rows}


def open_deliveries(session: Session, lead: Lead) -> dict[str, LeadDelivery]:
    """The lead's row for every channel, adding those it lacks (not tried yet: skipped).

    Commit them before sending: a row's id is the e-mail's idempotency key, so it must
    outlive a worker killed in the middle of the send.
    """
    rows = lead_deliveries(session, lead.id)
    for channel in CHANNELS:
        if channel not in rows:
            rows[channel] = LeadDelivery(
                id=uuid.uuid4(),
                workspace_id=lead.workspace_id,
                lead_id=lead.id,
                channel=channel,
                status="skipped",
                attempts=0,
            )
            session.add(rows[channel])
    return rows


def lock_delivery(session: Session, row_id: uuid.UUID) -> LeadDelivery | None:
    """The row as stored now, held (PostgreSQL) until the next commit, so two runs for one
    lead send a channel in turn; None when a "Redeliver" deleted it meanwhile."""
    return session.get(LeadDelivery, row_id, populate_existing=True, with_for_update=True)


def idempotency_key(row: LeadDelivery) -> str:
    """The same for every attempt of this row's send; a new row (Redeliver) has a new one."""
    return f"leadkeeper-delivery-{row.id}"


def at_most_once(row: LeadDelivery, config: dict) -> bool:
    """True for a channel whose receiver cannot tell a resend from a new message (Slack,
    e-mail by SMTP): sent at most once, never again after a send that may have happened."""
    return row.channel == "slack" or (row.channel == "email" and config["email_transport"] != "api")


def _configured(channel: str, config: dict) -> bool:
    if channel == "slack":
        return bool(config["slack_webhook_url"])
    return bool(config["email_recipients"])


def mark_sending(row: LeadDelivery, config: dict) -> bool:
    """Before an at-most-once send: the row says `sending` (True: commit it, then send).

    A row found still `sending` is a send a stopped worker began: it becomes `unknown`
    (False: do not send). Other channels and rows are left as they are (False).
    """
    if row.status in ("sent", "unknown") or not at_most_once(row, config):
        return False
    if row.status != "sending" and not _configured(row.channel, config):
        return False  # nothing will be sent: deliver_channel records it skipped
    if row.status == "sending":
        row.status, row.error = "unknown", UNKNOWN_OUTCOME
        return False
    row.status = "sending"
    return True


def _settings(session: Session, workspace_id):
    from webapp.services.pipeline_settings import delivery_settings

    return delivery_settings(session, workspace_id)


def deliver_channel(session: Session, lead: Lead, row: LeadDelivery, config: dict) -> LeadDelivery:
    """Send the lead by the row's channel unless it was sent already; record the outcome.

    Never raises for the channel's own failure: the row says `failed` with the error.
    An `unknown` row is left for Redeliver.
    """
    if row.status in ("sent", "unknown"):
        return row
    row.attempts = (row.attempts or 0) + 1
    try:
        sent = SENDERS[row.channel](session, lead, config, row)
    except Exception as exc:  # noqa: BLE001  (a channel's failure is its row's, never the others')
        from webapp.jobs.runner import error_text

        row.status, row.error = "failed", error_text(exc)[:1000]
        return row
    row.status = "sent" if sent else "skipped"
    row.error = None
    row.sent_at = utcnow() if sent else None
    return row


def channel_config(session: Session, lead: Lead) -> dict:
    """The workspace's delivery settings as plain values, read once per delivery."""
    from flask import current_app

    settings = _settings(session, lead.workspace_id)
    config = {
        "email_recipients": list(getattr(settings, "email_recipients", None) or []),
        "email_transport": getattr(settings, "email_transport", None) or "smtp",
        "slack_webhook_url": getattr(settings, "slack_webhook_url", None) or None,
        "webhooks_enabled": bool(getattr(settings, "webhooks_enabled", True)),
        "smtp_url": current_app.config.get("SMTP_URL"),
        "mail_from": current_app.config.get("MAIL_FROM"),
        "base_url": current_app.config.get("BASE_URL", ""),
    }
    if config["email_recipients"] or config["slack_webhook_url"]:
        # What the human channels send, read once for both.
        config["summary"] = summary_text(session, lead, config["base_url"])
    return config


def summary_text(session: Session, lead: Lead, base_url: str) -> tuple[str, str]:
    """The subject and plain-text body every human channel sends."""
    intent = lead.intent if lead.intent != "unrated" else "new"
    name = lead.company_name or lead.display_name
    subject = f"{intent.capitalize()} lead: {name}"
    lines = [
        f"Company: {lead.company_name or '—'}",
        f"Domain: {lead.company_domain or '—'}",
        f"Industry: {lead.industry or '—'}",
        f"Intent: {lead.intent}",
    ]
    if lead.search_query:
        lines.append(f"Found by: {lead.search_query}")
    contacts = lead_contacts(session, lead.id)
    for contact in contacts:
        mark = " (primary)" if contact.is_primary else ""
        lines.append(
            f"Contact: {contact.full_name or ''} <{contact.email}> {contact.title or ''}{mark}"
        )
    lines.append(f"Open: {base_url}/leads/{lead.id}")
    return subject, "\n".join(lines)


def _send_email(session: Session, lead: Lead, config: dict, row: LeadDelivery) -> bool:
    recipients = config["email_recipients"]
    if not recipients:
        return False
    subject, body = config["summary"]
    if config["email_transport"] == "api":
        from webapp.providers.config import provider_config
        from webapp.providers.email import send_email_api

        api = provider_config(session, row.workspace_id, "email_api")
        send_email_api(
            api,
            to=recipients,
            subject=subject,
            text=body,
            sender=config["mail_from"],
            idempotency_key=idempotency_key(row),
        )
        return True
    from webapp.providers.email import SmtpSettings, send_email

    if not config["smtp_url"]:
        raise RuntimeError("E-mail delivery is on but SMTP_URL is not set")
    send_email(
        SmtpSettings.from_url(config["smtp_url"]), config["mail_from"], recipients, subject, body
    )
    return True


def _send_slack(session: Session, lead: Lead, config: dict, row: LeadDelivery) -> bool:
    url = config["slack_webhook_url"]
    if not url:
        return False
    from webapp.providers.slack import post_to_slack

    subject, body = config["summary"]
    post_to_slack(url, f"*{subject}*\n{body}")
    return True


def _subscribed(session: Session, workspace_id) -> bool:
    endpoints = session.execute(
        select(WebhookEndpoint.event_types).where(
            WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.active.is_(True)
        )
    ).scalars()
    wanted = {DELIVERED_EVENT, QUALIFIED_EVENT}
    return any(wanted & set(types or []) for types in endpoints)


def _send_webhook(session: Session, lead: Lead, config: dict, row: LeadDelivery) -> bool:
    if not config["webhooks_enabled"] or not _subscribed(session, row.workspace_id):
        return False
    fields = {
        "company_name": lead.company_name,
        "domain": lead.company_domain,
        "industry": lead.industry,
        "intent": lead.intent,
        "contacts": len(lead_contacts(session, lead.id)),
        "enriched_at": iso(lead.enrichment_completed_at) if lead.enrichment_completed_at else None,
    }
    emit_event(session, lead.workspace_id, DELIVERED_EVENT, lead.id, **fields)
    if lead.intent in UPLOADED_INTENTS:
        emit_event(session, lead.workspace_id, QUALIFIED_EVENT, lead.id, **fields)
    return True


SENDERS = {"email": _send_email, "slack": _send_slack, "webhook": _send_webhook}


def settle_delivery(session: Session, lead: Lead, newly_sent: list[str]) -> str:
    """Set lead.delivery_status from the channel rows; a `delivered` activity when news."""
    rows = lead_deliveries(session, lead.id)
    states = [rows[c].status for c in CHANNELS if c in rows]
    sent = states.count("sent")
    failed = states.count("failed") + states.count("unknown")  # not known to have arrived
    if failed and sent:
        status = "partial"
    elif failed:
        status = "failed"
    else:
        status = "delivered"
    lead.delivery_status = status
    if newly_sent:
        names = ", ".join(CHANNEL_LABELS[c] for c in newly_sent)
        add_activity(
            session, lead, "delivered", f"Delivered by {names}.", data={"channels": newly_sent}
        )
    return status


def due_for_upload(lead: Lead) -> bool:
    """Hot and warm leads go to their platform after delivery; cold ones never."""
    return lead.intent in UPLOADED_INTENTS and not lead.uploaded


def request_upload(lead: Lead) -> bool:
    """Mark a hot or warm lead due for upload; False for any other lead."""
    if not due_for_upload(lead):
        return False
    if lead.upload_requested_at is None:
        lead.upload_requested_at = utcnow()
    return True


def prepare_redelivery(session: Session, lead: Lead) -> None:
    """ "Redeliver": forget the channel results, so every channel is tried again."""
    for row in lead_deliveries(session, lead.id).values():
        session.delete(row)
    lead.delivery_status = "pending"
