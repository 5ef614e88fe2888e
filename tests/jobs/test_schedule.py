"""The periodic jobs reach RQ's CronScheduler and get enqueued, by kind."""

from rq import Queue

from webapp.jobs.events import RELAY_PERIODIC
from webapp.jobs.registry import get_job
from webapp.jobs.runner import PERFORM
from webapp.jobs.schedule import PERIODIC_JOBS, build_scheduler
from webapp.redis_conn import get_redis


def test_every_periodic_job_is_a_registered_kind(app):
    for periodic in PERIODIC_JOBS:
        assert get_job(periodic.kind).kind == periodic.kind


def test_periodic_relay_is_scheduled_and_enqueued(app, db, redis_url):
    redis = get_redis(app)
    scheduler = build_scheduler(app, redis)
    kinds = {job.args[0] for job in scheduler.get_jobs()}
    assert kinds == {job.kind for job in PERIODIC_JOBS}
    assert RELAY_PERIODIC in kinds
    scheduler.enqueue_jobs()
    queued = Queue("default", connection=redis).get_jobs()
    assert [job.func_name for job in queued] == [PERFORM.replace("perform", "perform_periodic")]
    assert [job.args for job in queued] == [(RELAY_PERIODIC,)]
