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


# Later issues add the daily discovery and weekly jobs here.
PERIODIC_JOBS: tuple[Periodic, ...] = ()


def build_scheduler(app: Flask, redis: Redis):
    from rq.cron import CronScheduler

    from webapp.jobs import resolve

    scheduler = CronScheduler(connection=redis, logging_level=app.config["LOG_LEVEL"])
    for job in PERIODIC_JOBS:
        scheduler.register(
            resolve(job.func), queue_name=job.queue, cron=job.cron, interval=job.interval
        )
    return scheduler
