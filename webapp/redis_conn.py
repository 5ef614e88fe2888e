"""The app's Redis connections, created lazily so nothing connects at import or start-up."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

PATIENT_KEY = "leadkeeper_redis"
REQUEST_KEY = "leadkeeper_redis_request"


def init_redis(app: Flask) -> None:
    app.extensions[PATIENT_KEY] = None
    app.extensions[REQUEST_KEY] = None


def get_redis(app: Flask | None = None) -> Redis | None:
    """The shared Redis client, or None on the embedded default.

    Inside a web request it is a client with short timeouts and no retries. There
    Redis only hurries things along (the relay kick, enqueueing, /health): a Redis that
    stopped answering must cost a capture a fraction of a second, not the socket
    timeout times the retries. Workers and the scheduler, outside requests, get the
    patient client their blocking reads need.
    """
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    key = REQUEST_KEY if has_request_context() else PATIENT_KEY
    client = app.extensions.get(key)
    if client is None:
        client = _request_client(app, url) if key == REQUEST_KEY else _patient_client(url)
        app.extensions[key] = client
    return client


def _patient_client(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def _request_client(app: Flask, url: str) -> Redis:
    seconds = app.config["REDIS_REQUEST_TIMEOUT"]
    return Redis.from_url(
        url,
        socket_connect_timeout=seconds,
        socket_timeout=seconds,
        # One reconnect for a pooled connection that Redis dropped (it restarted), at
        # once; a Redis that does not answer (a timeout) is not asked again.
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    )
