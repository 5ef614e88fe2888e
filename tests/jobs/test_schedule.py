"""The periodic jobs reach RQ's CronScheduler and get enqueued, by kind.

Interval jobs (the relay, the schedules tick) go to RQ as they are; cron entries are
claimed once per period by the schedules tick instead (test_schedules_tick.py).
"""

from rq import Queue

from webapp.jobs.events import RELAY_PERIODIC
from webapp.jobs.registry import get_job
from webapp.jobs.runner import PERFORM
from webapp.jobs.schedule import PERIODIC_JOBS, SCHEDULES_TICK, Periodic, build_scheduler
from webapp.redis_conn import get_redis
from webapp.services.schedules import app_wide_schedules


def test_every_periodic_job_is_a_registered_kind(app):
    for periodic in PERIODIC_JOBS:
        assert get_job(periodic.kind).kind == periodic.kind


def test_interval_jobs_are_scheduled_and_enqueued(app, db, redis_url):
    redis = get_redis(app)
    scheduler = build_scheduler(app, redis)
    registered = {job.args[0]: job.interval for job in scheduler.get_jobs()}
    assert registered == {p.kind: p.interval for p in PERIODIC_JOBS if p.interval}
    assert registered[RELAY_PERIODIC] == 60 and registered[SCHEDULES_TICK] == 60
    scheduler.enqueue_jobs()
    queued = Queue("default", connection=redis).get_jobs()
    assert {job.func_name for job in queued} == {PERFORM.replace("perform", "perform_periodic")}
    assert sorted(job.args for job in queued) == sorted((k,) for k in registered)


def test_cron_entries_go_through_the_tick_not_rq(app, db, redis_url, monkeypatch):
    nightly = Periodic(RELAY_PERIODIC, cron="30 1 * * *")
    scheduler = build_scheduler(app, get_redis(app), PERIODIC_JOBS + (nightly,))
    assert [job.cron for job in scheduler.get_jobs() if job.cron] == []
    monkeypatch.setattr("webapp.jobs.schedule.PERIODIC_JOBS", PERIODIC_JOBS + (nightly,))
    schedules = {schedule.kind: schedule for schedule in app_wide_schedules()}
    assert schedules["campaigns.resync_all"].cron == "30 1 * * *"  # the nightly re-sync
    schedule = schedules[RELAY_PERIODIC]
    assert (schedule.cron, schedule.kind, schedule.per_workspace) == (
        "30 1 * * *",
        RELAY_PERIODIC,
        False,
    )
