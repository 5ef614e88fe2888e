"""What the sandbox remembers: failures to inject, a delay, and what it received.

In this process by default; in Redis when the app has REDIS_URL (so every web process and
worker of a deployment see one sandbox). Received items are capped at the newest MAX_RECEIVED
per kind.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque

MAX_RECEIVED = 2000
KINDS = ("platforms", "email", "slack")
APIS = ("intent", "contacts", "verify", "email", "slack", "platforms")


class MemoryState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self._failures: dict[str, dict] = {}
            self._delay_ms = 0
            self._received = {kind: deque(maxlen=MAX_RECEIVED) for kind in KINDS}
            self._counts = {kind: 0 for kind in KINDS}
            self._idempotency: dict[str, str] = {}

    def set_failure(self, api: str, status: int, times: int, retry_after: float | None) -> None:
        with self._lock:
            self._failures[api] = {"status": status, "times": times, "retry_after": retry_after}

    def take_failure(self, api: str) -> dict | None:
        with self._lock:
            failure = self._failures.get(api)
            if not failure or failure["times"] <= 0:
                return None
            failure["times"] -= 1
            return dict(failure)

    def set_delay(self, ms: int) -> None:
        self._delay_ms = ms

    def delay_ms(self) -> int:
        return self._delay_ms

    def record(self, kind: str, item: dict) -> None:
        with self._lock:
            self._received[kind].append(item)
            self._counts[kind] += 1

    def first_answer(self, key: str, answer: str) -> str | None:
        """None the first time `key` is seen (remembering `answer`), else the first answer."""
        with self._lock:
            if key in self._idempotency:
                return self._idempotency[key]
            self._idempotency[key] = answer
            return None

    def received(self) -> dict:
        with self._lock:
            out = {kind: list(items) for kind, items in self._received.items()}
            out["counts"] = dict(self._counts)
            return out

    def failures(self) -> dict:
        with self._lock:
            return {k: dict(v) for k, v in self._failures.items() if v["times"] > 0}


class RedisState:
    PREFIX = "leadkeeper:sandbox:"

    def __init__(self, redis) -> None:
        self.redis = redis

    def _key(self, *parts: str) -> str:
        return self.PREFIX + ":".join(parts)

    def reset(self) -> None:
        keys = list(self.redis.scan_iter(self.PREFIX + "*"))
        if keys:
            self.redis.delete(*keys)

    def set_failure(self, api: str, status: int, times: int, retry_after: float | None) -> None:
        spec = json.dumps({"status": status, "retry_after": retry_after})
        pipe = self.redis.pipeline()
        pipe.set(self._key("fail", api), spec)
        pipe.set(self._key("fail_times", api), times)
        pipe.execute()

    def take_failure(self, api: str) -> dict | None:
        left = self.redis.decr(self._key("fail_times", api))
        if left < 0:
            self.redis.set(self._key("fail_times", api), 0)
            return None
        spec = self.redis.get(self._key("fail", api))
        if spec is None:
            return None
        return {**json.loads(spec), "times": left}

    def set_delay(self, ms: int) -> None:
        self.redis.set(self._key("delay_ms"), ms)

    def delay_ms(self) -> int:
        return int(self.redis.get(self._key("delay_ms")) or 0)

    def record(self, kind: str, item: dict) -> None:
        pipe = self.redis.pipeline()
        pipe.rpush(self._key("received", kind), json.dumps(item, default=str))
        pipe.ltrim(self._key("received", kind), -MAX_RECEIVED, -1)
        pipe.incr(self._key("count", kind))
        pipe.execute()

    def first_answer(self, key: str, answer: str) -> str | None:
        redis_key = self._key("idempotency", key)
        if self.redis.set(redis_key, answer, nx=True, ex=24 * 3600):
            return None
        found = self.redis.get(redis_key)
        return found.decode() if isinstance(found, bytes) else found

    def received(self) -> dict:
        out: dict = {
            kind: [json.loads(x) for x in self.redis.lrange(self._key("received", kind), 0, -1)]
            for kind in KINDS
        }
        out["counts"] = {kind: int(self.redis.get(self._key("count", kind)) or 0) for kind in KINDS}
        return out

    def failures(self) -> dict:
        out = {}
        for api in APIS:
            left = int(self.redis.get(self._key("fail_times", api)) or 0)
            spec = self.redis.get(self._key("fail", api))
            if left > 0 and spec:
                out[api] = {**json.loads(spec), "times": left}
        return out


_memory = MemoryState()


def get_state(app):
    """The app's sandbox state: Redis when configured, else this process's memory."""
    if app.config.get("REDIS_URL"):
        from webapp.redis_conn import get_redis

        return RedisState(get_redis(app))
    return _memory


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
