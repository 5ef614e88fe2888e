"""The app's Redis connection, created lazily so nothing connects at import or start-up."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


def init_redis(app: Flask) -> None:
    app.extensions["leadkeeper_redis"] = None


def get_redis(app: Flask | None = None) -> Redis | None:
    """The shared Redis client, or None on the embedded default."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = app.extensions.get("leadkeeper_redis")
    if client is None:
        client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        app.extensions["leadkeeper_redis"] = client
    return client
