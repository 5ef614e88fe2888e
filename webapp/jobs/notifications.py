"""Telling a form's recipients about a new submission (e-mail and Slack)."""

from __future__ import annotations

import logging
import uuid

from flask import current_app

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.models import Lead
from webapp.models.forms import CaptureForm
from webapp.providers.email import SmtpSettings, send_email
from webapp.providers.slack import post_to_slack

log = logging.getLogger(__name__)
FIELDS = (
    ("Name", "display_name"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("Company", "company_name"),
    ("Job title", "job_title"),
    ("Source", "source"),
    ("Message", "message"),
)


def _summary(lead: Lead) -> str:
    lines = [f"{label}: {getattr(lead, attr)}" for label, attr in FIELDS if getattr(lead, attr)]
    lines.append(f"Open: {current_app.config['BASE_URL']}/leads/{lead.id}")
    return "\n".join(lines)


@job("forms.notify", label="Form notification")
def notify_form_submission(run, form_id: str, lead_id: str, created: bool) -> dict:
    """E-mail and/or Slack the form's recipients; raises (so RQ retries) when sending fails."""
    form = db.session.get(CaptureForm, uuid.UUID(form_id))
    lead = db.session.get(Lead, uuid.UUID(lead_id))
    if form is None or lead is None or lead.workspace_id != form.workspace_id:
        run.discard()  # nothing to tell anyone: the form or the lead is gone
        return {"sent": []}
    what = "New lead" if created else "Lead submitted again"
    subject = f"{what} from {form.name}: {lead.display_name}"
    sent = []
    if form.notification_emails:
        smtp_url = current_app.config.get("SMTP_URL")
        if not smtp_url:
            log.warning("form %s has e-mail recipients but SMTP_URL is not set", form.id)
        else:
            send_email(
                SmtpSettings.from_url(smtp_url),
                current_app.config["MAIL_FROM"],
                form.notification_emails,
                subject,
                _summary(lead),
            )
            sent.append("email")
    if form.slack_webhook_url:
        post_to_slack(form.slack_webhook_url, f"*{subject}*\n{_summary(lead)}")
        sent.append("slack")
    run.count(**{channel: 1 for channel in sent})
    run.tell(f"Sent by {' and '.join(sent)}." if sent else "Nobody to tell.")
    return {"sent": sent}
