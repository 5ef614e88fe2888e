"""One small HTTP client for the data providers: base URL, bearer key, timeout, retries.

429 and 5xx answers (and connection errors/timeouts) are retried up to `max_retries` times,
waiting what `Retry-After` asks (seconds or an HTTP date) or a short exponential pause, never
more than `max_total_wait` seconds in all. What is left becomes a `ProviderError`. The key is
sent as `Authorization: Bearer …` and never logged or put in an error message.

Every call of a process shares one connection pool (`outbound_client`), so a job's calls to
one provider reuse a kept-alive connection (one TCP and TLS set-up, not one per call), and
its connections go only where the outbound guard allowed (webapp/providers/guard.py). The
TLS context and httpcore are loaded with this module: a forking worker imports it before it
forks (webapp/jobs/lead_pipeline.py), so no job pays for them again.
"""

from __future__ import annotations

import email.utils
import logging
import os
import ssl
import threading
import time
from datetime import UTC, datetime
from typing import Any

import certifi
import httpcore
import httpx

from webapp.providers.config import ProviderConfig
from webapp.providers.guard import (
    GuardedBackend,
    OutboundRefused,
    check_outbound_url,
    private_allowed,
)

log = logging.getLogger(__name__)


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


# Retries within one call (RQ retries the whole job on top, 3 times with backoff).
DEFAULT_MAX_RETRIES = int(_env_number("PROVIDER_MAX_RETRIES", 3))
DEFAULT_MAX_TOTAL_WAIT = _env_number("PROVIDER_MAX_RETRY_WAIT", 30.0)
BACKOFF_BASE = 0.25
USER_AGENT = "Leadkeeper-Providers/1"


class ProviderError(RuntimeError):
    """A provider refused or could not be reached; `retryable` says if trying later may help."""

    def __init__(self, provider: str, status: int | None, message: str, retryable: bool):
        super().__init__(f"{provider}: {message}" + (f" (HTTP {status})" if status else ""))
        self.provider = provider
        self.status = status
        self.message = message
        self.retryable = retryable


# One TLS context for every connection: building one loads the CA bundle (~30-50 ms).
TLS_CONTEXT = ssl.create_default_context(cafile=certifi.where())
KEEPALIVE_SECONDS = 5.0


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport, its pool connecting through the outbound guard's backend."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__(verify=TLS_CONTEXT, trust_env=False)
        # httpx builds its pool without a way to name the network backend: ours replaces it.
        self._pool = httpcore.ConnectionPool(
            ssl_context=TLS_CONTEXT,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=KEEPALIVE_SECONDS,
            network_backend=GuardedBackend(allow_private),
        )


_clients: dict[bool, httpx.Client] = {}
_clients_lock = threading.Lock()


def _forget_clients() -> None:
    # A forked child must not share its parent's sockets: it builds its own pool.
    global _clients_lock
    _clients.clear()
    _clients_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_clients)


def outbound_client(allow_private: bool | None = None) -> httpx.Client:
    """This process's client for outbound calls (thread-safe; never closed by callers).

    `allow_private` defaults to what the app allows (private_allowed()). Pass a timeout
    and headers with each request; it follows no redirects and reads no proxy settings.
    """
    if allow_private is None:
        allow_private = private_allowed()
    client = _clients.get(allow_private)
    if client is None:
        with _clients_lock:
            client = _clients.get(allow_private)
            if client is None:
                client = httpx.Client(
                    transport=GuardedTransport(allow_private),
                    follow_redirects=False,
                    trust_env=False,
                )
                _clients[allow_private] = client
    return client


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason_phrase or "error")[:300]
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                return body[key][:300]
    return response.reason_phrase or "error"


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class ProviderClient:
    """`request()` answers the decoded JSON of a 2xx, or raises ProviderError."""

    def __init__(
        self,
        provider: str,
        config: ProviderConfig,
        *,
        max_retries: int | None = None,
        max_total_wait: float | None = None,
    ) -> None:
        self.provider = provider
        self.config = config
        self.max_retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        self.max_total_wait = DEFAULT_MAX_TOTAL_WAIT if max_total_wait is None else max_total_wait
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self._headers = headers
        self._timeout = httpx.Timeout(config.timeout, connect=min(5.0, config.timeout))
        self._base = config.base_url.rstrip("/")
        self._client = outbound_client()

    def __enter__(self) -> ProviderClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to free: the connections stay in the process's pool for the next call."""

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        waited = 0.0
        attempt = 0
        while True:
            error = self._attempt(method, path.lstrip("/"), kwargs)
            if isinstance(error, ProviderError):
                pause = getattr(error, "_pause", None)
                if not error.retryable or attempt >= self.max_retries:
                    raise error
                pause = BACKOFF_BASE * 2**attempt if pause is None else pause
                if waited + pause > self.max_total_wait:
                    error.message += " (gave up: the wait asked for is too long)"
                    raise error
                log.info(
                    "%s %s %s failed (%s); retry %d in %.2fs",
                    self.provider, method, path, error.status or error.message,
                    attempt + 1, pause,
                )  # fmt: skip
                time.sleep(pause)
                waited += pause
                attempt += 1
                continue
            return error

    def _attempt(self, method: str, path: str, kwargs: dict) -> Any:
        url = f"{self._base}/{path}" if path else self._base
        options = dict(kwargs)  # the same for every attempt (an Idempotency-Key too)
        headers = {**self._headers, **(options.pop("headers", None) or {})}
        try:
            check_outbound_url(url)
            response = self._client.request(
                method, url, headers=headers, timeout=self._timeout, **options
            )
        except OutboundRefused as exc:
            return ProviderError(self.provider, None, f"refused: the URL {exc}", retryable=False)
        except UnicodeError:  # a key saved before keys had to be ASCII: sending cannot mend it
            return ProviderError(
                self.provider,
                None,
                "the key or URL has characters that cannot be sent (only printable ASCII); "
                "save the key again",
                retryable=False,
            )
        except httpx.TimeoutException:
            return ProviderError(self.provider, None, "timed out", retryable=True)
        except httpx.HTTPError as exc:
            return ProviderError(
                self.provider, None, f"could not connect ({type(exc).__name__})", retryable=True
            )
        if response.status_code >= 400:
            message = _message(response)
            if self.config.api_key and self.config.api_key in message:  # a provider echoing it
                message = message.replace(self.config.api_key, "••••")
            error = ProviderError(
                self.provider,
                response.status_code,
                message,
                retryable=_retryable(response.status_code),
            )
            error._pause = retry_after_seconds(response.headers.get("Retry-After"))
            return error
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return ProviderError(
                self.provider, response.status_code, "answered something that is not JSON", False
            )


def call(provider: str, config: ProviderConfig, method: str, path: str, **kwargs: Any) -> Any:
    """One request (retries included), on the process's pooled connections."""
    options = {k: kwargs.pop(k) for k in ("max_retries", "max_total_wait") if k in kwargs}
    with ProviderClient(provider, config, **options) as client:
        return client.request(method, path, **kwargs)
