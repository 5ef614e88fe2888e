"""Delivery settings: who gets an e-mail, by which transport, the Slack URL, webhooks on/off.

The Slack incoming-webhook URL is a secret (whoever has it can post to the channel): like a
key it is write-only. A blank field (or its mask sent back) keeps it; `clear_slack` removes it.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models.providers import EMAIL_TRANSPORTS, DeliverySettings
from webapp.services.errors import ValidationFailed
from webapp.services.normalize import clean_email
from webapp.services.pipeline_settings.urls import clean_url, mask_secret_url

MAX_RECIPIENTS = 20


def delivery_settings(session: Session, workspace_id: uuid.UUID) -> DeliverySettings:
    """The saved settings, or (not added to the session) the defaults: nobody, SMTP, no Slack,
    webhooks on."""
    row = session.scalar(
        select(DeliverySettings).where(DeliverySettings.workspace_id == workspace_id)
    )
    if row is not None:
        return row
    return DeliverySettings(
        workspace_id=workspace_id,
        email_recipients=[],
        email_transport="smtp",
        slack_webhook_url=None,
        webhooks_enabled=True,
    )


def _recipients(value) -> list[str]:
    items = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", value or "")
    out: list[str] = []
    for item in items:
        item = (item or "").strip()
        if not item:
            continue
        try:
            email = clean_email(item)
        except ValueError:
            raise ValueError(f"{item[:100]} is not a valid address") from None
        if email and email.lower() not in {e.lower() for e in out}:
            out.append(email)
    if len(out) > MAX_RECIPIENTS:
        raise ValueError(f"at most {MAX_RECIPIENTS} addresses")
    return out


def _slack(row: DeliverySettings, data: dict, allow_private: bool) -> str | None:
    """The Slack URL to store: removed, kept (blank or its own mask) or a new one, checked."""
    if data.get("clear_slack"):
        return None
    typed = (data.get("slack_webhook_url") or "").strip()
    if not typed or (row.slack_webhook_url and typed == mask_secret_url(row.slack_webhook_url)):
        return row.slack_webhook_url
    return clean_url(typed, allow_private, required=False)


def update_delivery_settings(
    session: Session, workspace_id: uuid.UUID, data: dict, allow_private: bool = False
) -> DeliverySettings:
    """Validate and stage `data` (email_recipients as text or a list, email_transport,
    slack_webhook_url — blank keeps the saved one —, clear_slack, webhooks_enabled);
    ValidationFailed names each bad field."""
    errors: dict[str, str] = {}
    row = delivery_settings(session, workspace_id)
    recipients, slack = [], None
    try:
        recipients = _recipients(data.get("email_recipients"))
    except ValueError as exc:
        errors["email_recipients"] = str(exc)
    transport = (data.get("email_transport") or "smtp").strip()
    if transport not in EMAIL_TRANSPORTS:
        errors["email_transport"] = "must be smtp or api"
    try:
        slack = _slack(row, data, allow_private)
    except ValueError as exc:
        errors["slack_webhook_url"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    if row not in session:
        session.add(row)
    row.email_recipients = recipients
    row.email_transport = transport
    row.slack_webhook_url = slack
    row.webhooks_enabled = bool(data.get("webhooks_enabled"))
    return row
