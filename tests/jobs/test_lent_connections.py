"""A worker lends its database sessions to its work-horses and runs a warm kind's first
job itself (webapp/jobs/lent_connections.py, AppWorker._warm_up_due); a horse that dies
inside a transaction takes nothing with it, and the next one gets a new session."""

import pytest

from tests.jobs.test_worker import run_burst_worker
from webapp.jobs import enqueue
from webapp.models import JobRun

pytestmark = pytest.mark.postgres


def _runs(db, runs):
    db.session.expire_all()
    return [db.session.get(JobRun, run.id) for run in runs]


def test_horses_start_on_the_workers_session_and_a_crash_gives_the_next_a_new_one(
    app, db, factory, redis_url
):
    workspace = factory.workspace()
    first, second, third = (enqueue("diagnostics.session") for _ in range(3))
    crashed = enqueue("diagnostics.session", str(workspace.id), crash=True)
    after = enqueue("diagnostics.session", str(workspace.id))

    run_burst_worker()

    first, second, third, crashed, after = _runs(db, [first, second, third, crashed, after])
    assert [r.status for r in (first, second, third, after)] == ["succeeded"] * 4
    worker_pid = first.result["pid"]
    # The warm kind's first job ran in the worker; the next ones in horses forked from it...
    assert second.result["parent_pid"] == third.result["parent_pid"] == worker_pid
    assert len({first.result["pid"], second.result["pid"], third.result["pid"]}) == 3
    # ...on the session the worker lent them, kept from one horse to the next.
    sessions = {r.result["database_session"] for r in (first, second, third)}
    assert len(sessions) == 1
    # The horse that died inside its transaction: its work did not end (RQ retries it; the
    # sweep of abandoned runs settles its row), its lock went with its session (the next
    # job's NOWAIT lock succeeded), and that session was not lent again.
    assert crashed.status != "succeeded" and crashed.result is None
    assert after.result["parent_pid"] == worker_pid
    assert after.result["database_session"] not in sessions
    db.session.rollback()
    with db.engine.connect() as conn:  # no session of the worker is left inside a transaction
        idle_in_transaction = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        ).scalar_one()
    assert idle_in_transaction == 0


def test_a_horse_stopped_mid_query_has_the_worker_close_its_sessions(app, db):
    """A job timeout (RQ raises JobTimeoutException from SIGALRM) inside a query leaves
    the lent connection busy; the pool then fails to roll it back and invalidates (closes)
    it, so every connection is "back in the pool" and the horse exits 0. The worker must
    not keep its copy: the server is still running the horse's query, and the worker (or
    the next horse) would wait for it and read its results as the answer to its own."""
    import contextlib
    import os
    import signal
    import time

    from sqlalchemy import create_engine

    from webapp.jobs.lent_connections import LentConnections

    # An engine of its own: the lending's listeners stay on an engine for good.
    engine = create_engine(db.engine.url, pool_pre_ping=True)
    lent = LentConnections((engine,))
    lent.start()
    with engine.connect() as conn:  # the worker's pooled connection, lent to the horse
        lent_session = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()

    class Timeout(Exception):
        pass

    def _alarm(signum, frame):
        raise Timeout()

    lent.before_fork()
    pid = os.fork()
    if pid == 0:  # the horse: a job timed out in the middle of a query
        try:
            lent.after_fork_in_child()
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, 0.3)
            # The Timeout, or the failed rollback after it ("another command is already
            # in progress"), as the job's runner sees them.
            with contextlib.suppress(Exception), engine.connect() as conn:
                conn.exec_driver_sql("SELECT pg_sleep(3)")
            lent.report()  # as AppWorker.perform_job does, whatever the job raised
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    lent.take_back(exited_normally=status == 0)

    started = time.monotonic()
    with engine.connect() as conn:
        answer, session = conn.exec_driver_sql("SELECT 42, pg_backend_pid()").one()
    assert answer == 42
    assert session != lent_session
    assert time.monotonic() - started < 2  # not waiting for the horse's query
    engine.dispose()


def test_a_retry_of_a_warm_kind_runs_in_a_horse(app, db, redis_url):
    """A warm kind's first job runs in the worker, unless it is a retry: a job that failed
    before may have brought its process down, and must not take the worker with it."""
    import os

    from rq.job import Job

    from webapp.redis_conn import get_redis

    retried = enqueue("diagnostics.session")
    job = Job.fetch(retried.rq_job_id, connection=get_redis())
    job.retries_left -= 1  # as RQ leaves it after a failed attempt
    job.save()

    run_burst_worker()

    (retried,) = _runs(db, [retried])
    assert retried.status == "succeeded"
    assert retried.result["parent_pid"] != os.getpid()  # forked by the worker, not it


def test_a_job_stopped_mid_query_still_records_why(app, db):
    """A job timeout (SIGALRM) inside a query leaves the connection busy, so the rollback
    fails: the run still ends failed with the job's own error, and the session works."""
    import signal

    from sqlalchemy import text

    from webapp.jobs.registry import JobSpec
    from webapp.jobs.runner import create_run, execute

    class JobTimeout(Exception):
        pass

    def sleeps(run):
        db.session.execute(text("SELECT pg_sleep(3)"))

    def _alarm(signum, frame):
        raise JobTimeout("the job ran out of time")

    spec = JobSpec("tests.sleeps", sleeps, "default", "Sleeps")
    run = create_run(spec)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(JobTimeout):
            execute(spec, run.id, (), {}, will_retry=False, reraise=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    (stored,) = _runs(db, [run])
    assert stored.status == "failed" and "ran out of time" in stored.error
    assert db.session.execute(text("SELECT 42")).scalar_one() == 42


def test_building_a_worker_leaves_the_apps_connections_as_they_were(app, db, redis_url):
    """Only a working worker lends (and so never prepares statements): one built to call a
    method of, as tests do, changes nothing for the process's other connections."""
    from webapp.jobs.app_worker import AppWorker
    from webapp.redis_conn import get_redis

    AppWorker(["default"], connection=get_redis(), app=app)
    db.engine.dispose()
    with db.engine.connect() as conn:
        assert conn.connection.driver_connection.prepare_threshold == 5  # psycopg's default
