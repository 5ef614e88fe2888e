"""Uploading hot and warm leads to the platform an industry routes to, in rate-limited batches.

Each batch is `POST {route.url}` with `{"leads": [payload, …]}` (payloads in the seed's
"Platform Upload Format", docs/contracts.md#upload) and `Authorization: Bearer {route.api_key}`.
The platform answers `{"results": [{"id", "status": "accepted"|"rejected", "error"?}]}`; a
platform that answers only 2xx counts every lead of the batch as accepted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from webapp.providers.config import DEFAULT_TIMEOUT, ProviderConfig, ProviderNotConfigured
from webapp.providers.http import ProviderClient, ProviderError

PROVIDER = "platforms"
# The seed's "Platform Upload Format" (docs/contracts.md#upload): every key present, values
# may be null. The sandbox rejects a lead that lacks one, or that is cold.
UPLOAD_FIELDS = (
    "id",
    "company_name",
    "domain",
    "industry",
    "employee_count",
    "revenue",
    "location",
    "intent_score",
    "intent_signals",
    "contacts",
    "primary_contact",
    "created_at",
    "enriched_at",
)
MAX_RATE_WAIT = 60.0  # a batch waits at most this long for its turn, then fails (retryable)


class TokenBucket:
    """At most `rate_per_minute` takes a minute per key, in bursts of up to `capacity`.

    With Redis (shared by every worker) the bucket lives there, updated atomically by a Lua
    script; without, in this process.
    """

    _LUA = """
    local tokens_key, stamp_key = KEYS[1], KEYS[2]
    local rate, capacity, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    local tokens = tonumber(redis.call('GET', tokens_key) or capacity)
    local stamp = tonumber(redis.call('GET', stamp_key) or now)
    tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate)
    local wait = 0
    if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
    local ttl = math.ceil(capacity / rate) + 60
    redis.call('SET', tokens_key, tokens, 'EX', ttl)
    redis.call('SET', stamp_key, now, 'EX', ttl)
    return tostring(wait)
    """
    _local: dict[str, tuple[float, float]] = {}
    _lock = threading.Lock()

    def __init__(self, redis=None, prefix: str = "leadkeeper:ratelimit:platform:") -> None:
        self.redis = redis
        self.prefix = prefix

    def try_take(self, key: str, rate_per_minute: int, capacity: int | None = None) -> float:
        """Take a token now (answer 0) or answer the seconds until one is due (none taken)."""
        rate = max(rate_per_minute, 1) / 60.0
        capacity = capacity or max(1, min(rate_per_minute, 10))
        now = time.time()
        if self.redis is not None:
            wait = self.redis.eval(
                self._LUA, 2, self.prefix + key + ":t", self.prefix + key + ":s",
                rate, capacity, now,
            )  # fmt: skip
            return float(wait)
        with self._lock:
            tokens, stamp = self._local.get(key, (float(capacity), now))
            tokens = min(capacity, tokens + max(0.0, now - stamp) * rate)
            if tokens >= 1:
                self._local[key] = (tokens - 1, now)
                return 0.0
            self._local[key] = (tokens, now)
            return (1 - tokens) / rate

    def acquire(
        self,
        key: str,
        rate_per_minute: int,
        capacity: int | None = None,
        max_wait: float = MAX_RATE_WAIT,
    ) -> float:
        """Wait for a token (at most `max_wait` seconds in all); answer the seconds waited."""
        waited = 0.0
        while True:
            wait = self.try_take(key, rate_per_minute, capacity)
            if wait <= 0:
                return waited
            if waited + wait > max_wait:
                raise ProviderError(
                    PROVIDER, 429, f"rate limit of {rate_per_minute}/minute for {key}", True
                )
            time.sleep(wait)
            waited += wait

    @classmethod
    def reset_local(cls) -> None:
        with cls._lock:
            cls._local.clear()


def _default_redis():
    try:
        from flask import has_app_context

        if has_app_context():
            from webapp.redis_conn import get_redis

            return get_redis()
    except Exception:  # noqa: BLE001  (no Redis: the in-process bucket)
        return None
    return None


def _results(batch: Sequence[dict], answer) -> list[dict]:
    given = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(given, list):
        return [{"id": p.get("id"), "status": "accepted"} for p in batch]
    by_id = {str(r.get("id")): r for r in given if isinstance(r, dict)}
    out = []
    for payload in batch:
        r = by_id.get(str(payload.get("id")), {})
        status = "rejected" if r.get("status") == "rejected" else "accepted"
        row = {"id": payload.get("id"), "status": status}
        if r.get("error"):
            row["error"] = str(r["error"])[:300]
        out.append(row)
    return out


def upload_leads(
    route,
    payloads: list[dict],
    *,
    redis=None,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int | None = None,
    max_rate_wait: float = MAX_RATE_WAIT,
) -> list[dict]:
    """Upload `payloads` to the route's platform, `route.batch_size` to a request.

    Answers one `{"id", "status": "accepted"|"rejected", "error"?}` per payload, in order.
    Raises ProviderNotConfigured when the route has no URL, ProviderError when the platform
    keeps refusing (after retries on 429/5xx honouring Retry-After).
    """
    if not route.url:
        raise ProviderNotConfigured(PROVIDER)
    if not payloads:
        return []
    bucket = TokenBucket(redis if redis is not None else _default_redis())
    key = f"{route.workspace_id}:{route.platform_name}"
    size = max(1, int(route.batch_size or 1))
    options = {} if max_retries is None else {"max_retries": max_retries}
    results: list[dict] = []
    config = ProviderConfig(route.url, route.api_key or None, timeout)
    with ProviderClient(f"{PROVIDER}:{route.platform_name}", config, **options) as client:
        for start in range(0, len(payloads), size):
            batch = payloads[start : start + size]
            bucket.acquire(key, int(route.rate_limit_per_minute or 60), max_wait=max_rate_wait)
            answer = client.request("POST", "", json={"leads": batch})
            results.extend(_results(batch, answer))
    return results
