"""The one way code enqueues background work: inline without Redis, RQ with it.

Jobs take ids, never ORM objects, and are referenced by dotted path so the web
process never has to import a job module just to enqueue it.
"""

from __future__ import annotations

import importlib
import logging

from flask import current_app

from webapp.redis_conn import get_redis

log = logging.getLogger(__name__)

RETRY_INTERVALS = [10, 60, 300]  # 3 retries with exponential backoff


def resolve(func_path: str):
    module_name, _, attr = func_path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def enqueue(func_path: str, *args, queue: str = "default", job_id: str | None = None, **kwargs):
    """Run `func_path(*args, **kwargs)` in the background (or now, on the embedded default).

    Returns the RQ job, or the function's result when run inline.
    """
    if queue not in current_app.config["JOB_QUEUES"]:
        raise ValueError(f"unknown queue {queue!r}")
    redis = get_redis()
    if redis is None:
        log.debug("running %s inline", func_path)
        return resolve(func_path)(*args, **kwargs)

    from rq import Queue, Retry

    rq_queue = Queue(queue, connection=redis)
    return rq_queue.enqueue(
        func_path,
        args=args,
        kwargs=kwargs,
        job_id=job_id,
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        failure_ttl=7 * 24 * 3600,
    )
