"""Recovery from a killed worker, piece by piece, against real Redis (issue 19).

The whole story, with worker processes killed for real, is test_worker_recovery.py.
"""

from datetime import timedelta

import pytest
from rq import Queue
from rq.job import JobStatus
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.utils import now, utcformat

from webapp.jobs.recovery import GAVE_UP, LOST, RETRYING, sweep_runs
from webapp.jobs.scheduler_lock import release_stale_scheduler_locks
from webapp.models import JobRun
from webapp.models.base import utcnow
from webapp.redis_conn import get_redis

pytestmark = pytest.mark.redis


@pytest.fixture()
def redis(app, db, redis_url):
    return get_redis(app)


def rq_job(redis, status: str | None):
    """An RQ job in `status`; None for a job id RQ has never heard of."""
    queue = Queue("default", connection=redis)
    if status is None:
        return "0b2f3c1e-gone"
    if status == "scheduled":
        return queue.enqueue_in(timedelta(seconds=30), "time.sleep", 0).id
    job = queue.enqueue("time.sleep", 0)
    if status != "queued":
        job.set_status(status)
    return job.id


def a_run(db, status: str, rq_job_id: str, idle_for=timedelta(0)) -> JobRun:
    run = JobRun(kind="leads.record_activity", status=status, rq_job_id=rq_job_id, attempts=1)
    db.session.add(run)
    db.session.commit()
    if idle_for:
        db.session.execute(
            db.update(JobRun).where(JobRun.id == run.id).values(updated_at=utcnow() - idle_for)
        )
        db.session.commit()
    return run


def stored(db, run) -> tuple:
    db.session.expire_all()
    run = db.session.get(JobRun, run.id)
    return run.status, run.error, run.finished_at is not None


def test_a_killed_run_that_rq_retries_is_queued_again(db, redis):
    run = a_run(db, "running", rq_job(redis, "scheduled"))  # RQ's retry of an abandoned job
    assert sweep_runs(redis) == {"queued": 1}
    assert stored(db, run) == ("queued", RETRYING, False)


def test_a_killed_run_without_retries_left_fails(db, redis):
    run = a_run(db, "running", rq_job(redis, JobStatus.FAILED))
    assert sweep_runs(redis) == {"failed": 1}
    assert stored(db, run) == ("failed", GAVE_UP, True)


def test_a_run_whose_job_is_gone_fails(db, redis):
    running = a_run(db, "running", rq_job(redis, None))
    queued_long_ago = a_run(db, "queued", rq_job(redis, None), idle_for=timedelta(minutes=5))
    # Just written by the facade, its job maybe not queued yet: left alone.
    queued_now = a_run(db, "queued", rq_job(redis, None))
    assert sweep_runs(redis) == {"failed": 2}
    assert stored(db, running) == ("failed", LOST, True)
    assert stored(db, queued_long_ago) == ("failed", LOST, True)
    assert stored(db, queued_now) == ("queued", None, False)


def test_live_and_waiting_runs_are_left_alone(db, redis):
    running = a_run(db, "running", rq_job(redis, JobStatus.STARTED))
    waiting = a_run(db, "queued", rq_job(redis, "queued"), idle_for=timedelta(minutes=5))
    later = a_run(db, "queued", rq_job(redis, "scheduled"), idle_for=timedelta(minutes=5))
    ended = a_run(db, "failed", rq_job(redis, None))
    assert sweep_runs(redis) == {}
    assert stored(db, running) == ("running", None, False)
    assert stored(db, waiting)[0] == stored(db, later)[0] == "queued"
    assert stored(db, ended)[0] == "failed"


def lock(redis, queue: str, owner: str, refreshed_ago: float, heartbeat_ago: float | None):
    key = RQScheduler.get_locking_key(queue)
    redis.set(key, owner, px=int((61 - refreshed_ago) * 1000))  # RQ's TTL: interval + 60
    if heartbeat_ago is not None:
        moment = now() - timedelta(seconds=heartbeat_ago)
        redis.hset(SCHEDULER_KEY_TEMPLATE % owner, "last_heartbeat", utcformat(moment))
    return key


def test_a_dead_schedulers_lock_is_released_for_a_live_worker(db, redis):
    ours = RQScheduler(["high", "default", "low"], connection=redis)
    dead = lock(redis, "high", "dead", refreshed_ago=10, heartbeat_ago=10)
    never_registered = lock(redis, "default", "ghost", refreshed_ago=10, heartbeat_ago=None)
    alive = lock(redis, "low", "alive", refreshed_ago=10, heartbeat_ago=0.5)

    released = release_stale_scheduler_locks(redis, ours, ["high", "default", "low"], 5)

    assert released == ["high", "default"]
    assert redis.get(dead) is None and redis.get(never_registered) is None
    assert redis.get(alive) == b"alive"  # its heartbeat is fresh: a slow refresh, not death
    assert ours.acquire_locks() == {"high", "default"}


def test_a_lock_refreshed_lately_or_our_own_is_kept(db, redis):
    ours = RQScheduler(["high", "default"], connection=redis)
    just_taken = lock(redis, "high", "busy", refreshed_ago=1, heartbeat_ago=None)
    own = lock(redis, "default", ours.name, refreshed_ago=30, heartbeat_ago=30)
    assert release_stale_scheduler_locks(redis, ours, ["high", "default"], 5) == []
    assert redis.get(just_taken) == b"busy" and redis.get(own) == ours.name.encode()


def test_a_sigterm_in_a_recovery_round_stops_the_worker_once_the_round_is_done(
    app, db, redis, monkeypatch
):
    # RQ raises StopRequested wherever the signal lands; mid-round that could leave
    # its queue-cleaning lock taken, and the next rounds skipped, for 15 minutes.
    from rq import Worker
    from rq.exceptions import StopRequested

    from webapp.jobs.app_worker import AppWorker

    worker = AppWorker(["default"], connection=redis, app=app)
    steps = []

    def rq_round(self):
        steps.append("cleaning")
        worker._shutdown()  # what RQ's SIGTERM handler calls, the worker idle
        steps.append("cleaned")

    monkeypatch.setattr(Worker, "run_maintenance_tasks", rq_round)
    with pytest.raises(StopRequested):
        worker.run_maintenance_tasks()
    assert steps == ["cleaning", "cleaned"]
