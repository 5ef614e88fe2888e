"""Sending one signed webhook to an address that was checked beforehand."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

DEFAULT_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT_SECONDS, seconds))


def longest_attempt(seconds: float) -> float:
    """How long one send can take with a `seconds` timeout: connecting, then waiting.

    (httpx's timeouts are per step; a receiver that trickles its answer can take
    longer, and may then get the event twice, which receivers dedupe by webhook-id.)
    """
    return _timeout(seconds).connect + seconds


@dataclass
class SendResult:
    status_code: int | None
    duration_ms: int
    error: str | None


def _pinned_url(url: str, address: str) -> tuple[str, str]:
    """The URL with its host replaced by the checked address, and the original Host."""
    parts = urlsplit(url)
    host = (
        f"[{address}]"
        if isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address)
        else address
    )
    netloc = host + (f":{parts.port}" if parts.port else "")
    host_header = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header


def send_webhook(
    url: str,
    address: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> SendResult:
    """POST to `address` (never re-resolving the host), without following redirects."""
    pinned, host_header = _pinned_url(url, address)
    hostname = urlsplit(url).hostname
    started = time.perf_counter()
    try:
        with httpx.Client(
            timeout=_timeout(timeout), follow_redirects=False, trust_env=False
        ) as client:
            response = client.post(
                pinned,
                content=body,
                headers={
                    **headers,
                    "Host": host_header,
                    "Content-Type": "application/json",
                    "User-Agent": "Leadkeeper-Webhooks/1",
                },
                # TLS still checks the certificate against the real host name.
                extensions={"sni_hostname": hostname},
            )
    except httpx.HTTPError as exc:
        elapsed = int((time.perf_counter() - started) * 1000)
        return SendResult(None, elapsed, f"{type(exc).__name__}: {exc}"[:500])
    elapsed = int((time.perf_counter() - started) * 1000)
    return SendResult(response.status_code, elapsed, None)
