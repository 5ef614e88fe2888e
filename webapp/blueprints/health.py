"""GET /health: is the app able to serve, and which dependency is not."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from webapp.db_outage import describe, discard_session
from webapp.extensions import db, limiter
from webapp.redis_conn import get_redis

bp = Blueprint("health", __name__)


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure means unhealthy; the reason is logged
        current_app.logger.warning("health: database check failed: %s", describe(exc))
        discard_session()  # a rollback over a dead connection would raise in turn
        return "unavailable"


def _check_redis() -> str:
    redis = get_redis()
    if redis is None:
        return "not configured (jobs run inline)"
    try:
        redis.ping()
        return "ok"
    except Exception as exc:
        current_app.logger.warning("health: redis check failed: %s", exc)
        return "unavailable"


@bp.get("/health")
@limiter.exempt
def health():
    checks = {"database": _check_database(), "redis": _check_redis()}
    failing = [name for name, state in checks.items() if state == "unavailable"]
    body = {"status": "ok" if not failing else "unavailable", **checks}
    if failing:
        body["failing"] = failing
    return jsonify(body), (503 if failing else 200)
