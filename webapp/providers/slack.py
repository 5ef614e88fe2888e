"""Posting a message to a Slack incoming webhook."""

from __future__ import annotations

import time

import httpx

from webapp.providers.guard import OutboundRefused, check_outbound_url
from webapp.providers.http import outbound_client

TIMEOUT = httpx.Timeout(10.0)
ATTEMPTS = 3


def post_to_slack(webhook_url: str, text: str) -> None:
    """Post `text`; retries 429 and 5xx briefly, raises when Slack keeps refusing."""
    client = outbound_client()
    for attempt in range(ATTEMPTS):
        try:
            check_outbound_url(webhook_url)
            response = client.post(webhook_url, json={"text": text}, timeout=TIMEOUT)
        except OutboundRefused as exc:
            raise RuntimeError(f"Slack webhook URL refused: it {exc}") from None
        if response.status_code < 400:
            return
        if response.status_code != 429 and response.status_code < 500:
            break
        if attempt < ATTEMPTS - 1:
            time.sleep(
                min(float(response.headers.get("Retry-After", 0) or 0), 5) or 0.5 * 2**attempt
            )
    raise RuntimeError(f"Slack answered {response.status_code}")
