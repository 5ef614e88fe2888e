"""The periodic jobs, declared once by kind and registered with RQ's CronScheduler.

Interval jobs go to RQ's CronScheduler as they are. Entries with a `cron` are not
given to RQ: the schedules tick (webapp/jobs/schedules.py, every minute) claims each
of their periods once in the database and starts them, so two scheduler processes or
a restart never run one twice, and a period missed while no scheduler ran is caught
up once. The per-workspace schedules (daily discovery, credit reset, weekly trends)
live in webapp/services/schedules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask
from redis import Redis
from rq.cron import CronScheduler, StopRequested

from webapp.jobs.campaigns import RESYNC_ALL as CAMPAIGNS_RESYNC_ALL
from webapp.jobs.events import RELAY_PERIODIC

SCHEDULES_TICK = "schedules.tick"  # webapp/jobs/schedules.py


@dataclass(frozen=True)
class Periodic:
    kind: str  # a registered job (webapp.jobs.registry)
    cron: str | None = None  # UTC; run through the schedules tick
    interval: int | None = None


PERIODIC_JOBS: tuple[Periodic, ...] = (
    # Anything the commit-time kick missed (Redis was down, a retry came due) goes out.
    Periodic(RELAY_PERIODIC, interval=60),
    # New members of dynamic lists join their campaigns' queues every night.
    Periodic(CAMPAIGNS_RESYNC_ALL, cron="30 1 * * *"),
    # Claims and starts the due scheduled jobs, each once per period.
    Periodic(SCHEDULES_TICK, interval=60),
)


def build_scheduler(app: Flask, redis: Redis, jobs: tuple[Periodic, ...] = PERIODIC_JOBS):
    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import perform_periodic

    scheduler = LeadingCronScheduler(connection=redis, logging_level=app.config["LOG_LEVEL"])
    for periodic in jobs:
        if not periodic.interval:
            continue  # cron entries: the schedules tick starts them
        spec = get_job(periodic.kind)
        scheduler.register(
            perform_periodic,
            queue_name=spec.queue,
            args=(periodic.kind,),
            interval=periodic.interval,
            name=periodic.kind,
        )
    return scheduler


class LeadingCronScheduler(CronScheduler):
    """RQ's CronScheduler that runs only while it holds the lead (one active at a time).

    A second `worker.py --scheduler` says that it is standing by, and which process
    is active, then waits and takes over when that one stops.
    """

    LEAD_TTL = 30  # seconds the lead outlives a killed holder
    STANDBY_POLL = 2.0  # seconds between a standing-by scheduler's attempts

    def start(self):
        from webapp.jobs.scheduler_lock import SchedulerLeadership

        self.leadership = SchedulerLeadership(self.connection, self.name, ttl=self.LEAD_TTL)
        self._install_signal_handlers()
        try:
            while True:
                self._stand_by()
                self.log.warning("CronScheduler %s: active, scheduling periodic jobs", self.name)
                super().start()
                if not getattr(self, "_lost_lead", False):
                    return
                self._lost_lead = False
        except (KeyboardInterrupt, StopRequested):
            self.log.info("CronScheduler %s: stopped while standing by", self.name)
        finally:
            self.leadership.release()

    def _stand_by(self) -> None:
        told = None
        while not self.leadership.acquire():
            holder = self.leadership.holder()
            if holder and holder != told:
                self.log.warning(
                    "CronScheduler %s: standing by, another scheduler (%s) is active; "
                    "this one takes over when it stops",
                    self.name,
                    holder,
                )
                told = holder
            time.sleep(self.STANDBY_POLL)

    def heartbeat(self) -> None:
        super().heartbeat()
        if not self.leadership.refresh():
            # Silent too long (a paused host): another took over. Step back.
            self.log.warning("CronScheduler %s: lost the lead, standing by again", self.name)
            self._lost_lead = True
            raise StopRequested()

    def calculate_sleep_interval(self) -> float:
        # Refresh the lead well within its time to live.
        return min(super().calculate_sleep_interval(), self.LEAD_TTL / 3)
