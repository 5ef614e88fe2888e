"""The periodic jobs, declared once and registered with RQ's CronScheduler."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from redis import Redis


@dataclass(frozen=True)
class Periodic:
    func: str
    queue: str
    cron: str | None = None
    interval: int | None = None


PERIODIC_JOBS: tuple[Periodic, ...] = (
    # Anything the commit-time kick missed (Redis was down, a retry came due) goes out.
    Periodic("webapp.jobs.events.relay_events", "default", interval=60),
)


def build_scheduler(app: Flask, redis: Redis):
    from rq.cron import CronScheduler

    from webapp.jobs import resolve

    scheduler = CronScheduler(connection=redis, logging_level=app.config["LOG_LEVEL"])
    for job in PERIODIC_JOBS:
        scheduler.register(
            resolve(job.func), queue_name=job.queue, cron=job.cron, interval=job.interval
        )
    return scheduler
