"""The periodic jobs, declared once by kind and registered with RQ's CronScheduler."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from redis import Redis

from webapp.jobs.campaigns import RESYNC_ALL as CAMPAIGNS_RESYNC_ALL
from webapp.jobs.events import RELAY_PERIODIC


@dataclass(frozen=True)
class Periodic:
    kind: str  # a registered job (webapp.jobs.registry)
    cron: str | None = None
    interval: int | None = None


PERIODIC_JOBS: tuple[Periodic, ...] = (
    # Anything the commit-time kick missed (Redis was down, a retry came due) goes out.
    Periodic(RELAY_PERIODIC, interval=60),
    # New members of dynamic lists join their campaigns' queues every night.
    Periodic(CAMPAIGNS_RESYNC_ALL, cron="30 1 * * *"),
)


def build_scheduler(app: Flask, redis: Redis, jobs: tuple[Periodic, ...] = PERIODIC_JOBS):
    from rq.cron import CronScheduler

    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import perform_periodic

    scheduler = CronScheduler(connection=redis, logging_level=app.config["LOG_LEVEL"])
    for periodic in jobs:
        spec = get_job(periodic.kind)
        scheduler.register(
            perform_periodic,
            queue_name=spec.queue,
            args=(periodic.kind,),
            cron=periodic.cron,
            interval=periodic.interval,
            name=periodic.kind,
        )
    return scheduler
