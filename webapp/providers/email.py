"""Sending e-mail over SMTP (SMTP_URL: smtp://, smtp+starttls:// or smtps://)."""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from webapp.providers.config import ProviderConfig
from webapp.providers.http import call

TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    mode: str  # "plain", "starttls" or "ssl"
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        modes = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}
        if parts.scheme not in modes or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:port")
        default_port = {"plain": 25, "starttls": 587, "ssl": 465}[modes[parts.scheme]]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            mode=modes[parts.scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def send_email(settings: SmtpSettings, sender: str, to: list[str], subject: str, body: str) -> None:
    """Send one plain-text message; raises on any SMTP failure so a job can retry."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    client_class = smtplib.SMTP_SSL if settings.mode == "ssl" else smtplib.SMTP
    with client_class(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as client:
        if settings.mode == "starttls":
            client.starttls()
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


# --- The Resend-shaped HTTP API (Settings → Delivery, transport "api") -------------------

EMAIL_API_PROVIDER = "email_api"
DEFAULT_SENDER = "Leadkeeper <leadkeeper@localhost>"


def send_email_api(
    config: ProviderConfig,
    *,
    to: list[str] | str,
    subject: str,
    text: str,
    html: str | None = None,
    sender: str | None = None,
    idempotency_key: str | None = None,
    max_retries: int | None = None,
) -> dict:
    """POST `{base}/emails` (Resend's shape: from, to, subject, text, html) → `{"id": …}`.

    `config` is a ProviderConfig (the "email_api" provider); the sender defaults to MAIL_FROM.
    `idempotency_key` goes as the `Idempotency-Key` header: the API sends a message once per
    key (within 24 hours), so a retried job does not mail twice. Raises ProviderError when the
    API refuses.
    """
    body = {
        "from": sender or os.environ.get("MAIL_FROM") or DEFAULT_SENDER,
        "to": [to] if isinstance(to, str) else list(to),
        "subject": subject,
        "text": text,
    }
    if html is not None:
        body["html"] = html
    options = {} if max_retries is None else {"max_retries": max_retries}
    if idempotency_key:
        options["headers"] = {"Idempotency-Key": idempotency_key[:256]}
    answer = call(EMAIL_API_PROVIDER, config, "POST", "emails", json=body, **options)
    return answer if isinstance(answer, dict) else {}
