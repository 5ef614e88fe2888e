"""Posting a message to a Slack incoming webhook."""

from __future__ import annotations

import time

import httpx

from webapp.providers.guard import check_outbound

TIMEOUT = httpx.Timeout(10.0)
ATTEMPTS = 3


def post_to_slack(webhook_url: str, text: str) -> None:
    """Post `text`; retries 429 and 5xx briefly, raises when Slack keeps refusing."""
    try:
        check_outbound(webhook_url)
    except ValueError as exc:
        raise RuntimeError(f"Slack webhook URL refused: it {exc}") from None
    for attempt in range(ATTEMPTS):
        response = httpx.post(
            webhook_url, json={"text": text}, timeout=TIMEOUT, follow_redirects=False
        )
        if response.status_code < 400:
            return
        if response.status_code != 429 and response.status_code < 500:
            break
        if attempt < ATTEMPTS - 1:
            time.sleep(
                min(float(response.headers.get("Retry-After", 0) or 0), 5) or 0.5 * 2**attempt
            )
    raise RuntimeError(f"Slack answered {response.status_code}")
