"""Sending one signed webhook to an address that was checked beforehand."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


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


def send_webhook(url: str, address: str, body: bytes, headers: dict[str, str]) -> SendResult:
    """POST to `address` (never re-resolving the host), without following redirects."""
    pinned, host_header = _pinned_url(url, address)
    hostname = urlsplit(url).hostname
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
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
