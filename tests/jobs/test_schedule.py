"""The periodic jobs reach RQ's CronScheduler and get enqueued."""

from rq import Queue

from webapp.jobs.schedule import PERIODIC_JOBS, build_scheduler
from webapp.redis_conn import get_redis


def test_periodic_relay_is_scheduled_and_enqueued(app, db, redis_url):
    redis = get_redis(app)
    scheduler = build_scheduler(app, redis)
    names = {job.func_name for job in scheduler.get_jobs()}
    assert names == {job.func for job in PERIODIC_JOBS}
    assert "webapp.jobs.events.relay_events" in names
    scheduler.enqueue_jobs()
    queued = Queue("default", connection=redis).get_jobs()
    assert [job.func_name for job in queued] == ["webapp.jobs.events.relay_events"]
