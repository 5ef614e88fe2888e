"""RQ worker that builds the app once, before RQ forks for each job.

It also stops promptly and recovers quickly from a killed peer (README, "Workers"):
- Shutdown: RQ's pubsub thread (the channel for `rq` commands) polls Redis with a
  60 s wait, and on shutdown RQ asks redis-py to stop it; redis-py 8's
  `PubSubWorkerThread.stop()` waits for the thread without a limit. When the thread
  has already read the reply to RQ's UNSUBSCRIBE it sits in a 60 s wait for a new
  subscription, so 1 exit in 5 or so took a minute. Socket timeouts don't help (it
  is a thread event, not a socket read). Here the thread is told to stop before the
  unsubscribe, polls every second, and is waited for with a bound; so is the
  scheduler process.
- Recovery: heartbeats every WORKER_HEARTBEAT_SECONDS, so a job whose worker died
  counts as abandoned after about two of them (RQ adds 60 s); an idle worker runs
  RQ's maintenance (which retries or fails abandoned jobs), takes over a dead
  scheduler's lock and sweeps stuck job runs every WORKER_SWEEP_SECONDS, instead of
  every 10 minutes, at its first poll of the queues after that.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import threading

from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import StopRequested
from rq.job import JobStatus
from rq.worker import WorkerStatus
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.jobs import RETRY_INTERVALS
from webapp.jobs.lent_connections import LentConnections
from webapp.jobs.recovery import sweep_runs
from webapp.jobs.registry import UnknownJob, get_job, load_jobs
from webapp.jobs.runner import (
    PREPARED,
    begin_run,
    finish_quiet_run,
    recorded_run_id,
    runs_engine,
)
from webapp.jobs.scheduler_lock import release_stale_scheduler_locks

log = logging.getLogger(__name__)
PUBSUB_POLL_SECONDS = 1.0
PUBSUB_STOP_WAIT_SECONDS = 3.0
SCHEDULER_STOP_WAIT_SECONDS = 3.0


def _is_retry(job) -> bool:
    # A job that failed before, maybe by bringing its process down, never runs in the worker.
    return job.retries_left is not None and job.retries_left < len(RETRY_INTERVALS)


class AppWorker(Worker):
    """A forking RQ worker whose jobs run inside an app context.

    The app (config, models, job modules) is built once in the parent; each
    forked job only pushes a context, so start-up cost is not paid per job.
    Its timings come from the app's config, also under `rq worker -w`.
    """

    def __init__(self, *args, app=None, **kwargs):
        if app is None:
            from webapp import create_app

            app = create_app()
        self.app = app
        # Read by `dequeue_timeout`, which RQ's __init__ already uses.
        self.sweep_seconds = app.config["WORKER_SWEEP_SECONDS"]
        self._in_maintenance = self._stop_after_maintenance = False
        if kwargs.get("connection") is None:
            from webapp.redis_conn import get_redis

            kwargs["connection"] = get_redis(app)
        super().__init__(*args, **kwargs)
        self.job_monitoring_interval = app.config["WORKER_HEARTBEAT_SECONDS"]
        # Due at the first poll after this; polls end every `dequeue_timeout`.
        self.maintenance_interval = max(1, self.sweep_seconds - self.dequeue_timeout)
        load_jobs()  # every job module imported once, in the parent: forked jobs start warm
        with app.app_context():
            self.lent = LentConnections((db.engine, runs_engine()))
        os.register_at_fork(after_in_child=self.lent.after_fork_in_child)
        self.warmed: set[str] = set()  # kinds whose first job ran in this process
        # The app's objects, built once, move out of the collector's sight: a forked
        # horse's garbage collection would otherwise touch (and so copy) every page.
        gc.freeze()

    def work(self, *args, **kwargs):
        self.lent.start()
        return super().work(*args, **kwargs)

    def execute_job(self, job, queue):
        """Mark the run running before the fork and succeeded after it, from this process.

        The parent's writes are one round trip each on its own connection; the horse
        would spend its own time on them. A horse that reports counts,
        a message or a failure writes those itself. "Running" is written before the
        fork: it also tells whether the run was cancelled meanwhile.
        """
        run_id = recorded_run_id(job)
        if run_id is None:
            return super().execute_job(job, queue)
        with self.app.app_context():
            try:
                PREPARED[run_id] = begin_run(run_id)  # the horse inherits the answer
            except Exception:  # the database is away: the horse tries (and fails) itself
                log.exception("job run %s: could not mark it running", run_id)
        try:
            if self._warm_up_due(job, run_id):
                return self._execute_here(job, queue)
            return super().execute_job(job, queue)
        finally:
            if PREPARED.pop(run_id, False):
                self._finish(job, run_id)

    def perform_job(self, job, queue, *args, **kwargs):
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()
                self.lent.report()

    # --- warm work-horses ------------------------------------------------------

    def fork_work_horse(self, job, queue):
        self.lent.before_fork()
        try:
            super().fork_work_horse(job, queue)
        except BaseException:
            self.lent.take_back(exited_normally=False)
            raise

    def wait_for_horse(self):
        pid, status, rusage = super().wait_for_horse()
        self.lent.take_back(exited_normally=pid is not None and status == 0)
        return pid, status, rusage

    def _warm_up_due(self, job, run_id: str) -> bool:
        """The first job of a `warm` kind (registry.JobSpec) runs here, not in a horse.

        What it compiles and caches (SQLAlchemy's compiled SQL, mostly: a third of a
        short job's CPU in a fresh horse) stays in this process, so every later horse,
        forked from it, starts with it.
        """
        kind = job.args[0]
        if kind in self.warmed or not PREPARED.get(run_id) or _is_retry(job):
            return False
        try:
            warm = get_job(kind).warm
        except UnknownJob:
            return False
        if warm:
            self.warmed.add(kind)
        return warm

    def _execute_here(self, job, queue):
        """Run the job in this process, as RQ's SimpleWorker does, heartbeats kept up."""
        execution = self.prepare_execution(job)
        done = threading.Event()
        beats = threading.Thread(
            target=self._keep_heartbeats, args=(job, execution, done), daemon=True
        )
        beats.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beats.join()
            self.set_state(WorkerStatus.IDLE)
        gc.freeze()  # what the job left stays out of the horses' collector, as the app does

    def _keep_heartbeats(self, job, execution, done: threading.Event) -> None:
        # A horse's job is kept alive by monitor_work_horse; a job run here by this thread.
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except RedisError:
                self.log.warning("Worker %s: heartbeat failed", self.name, exc_info=True)

    def kill_horse(self, *args, **kwargs):
        if self.horse_pid:  # a job run in this process has no horse (and pid 0 is our group)
            super().kill_horse(*args, **kwargs)

    # --- recovery ---------------------------------------------------------------

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker only runs maintenance between polls of its queues.
        return max(1, min(super().dequeue_timeout, self.sweep_seconds // 3))

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        # The monitor heartbeats every interval; one more interval (at least 5 s) of
        # slack before the job counts as abandoned, instead of RQ's 60 s.
        interval = self.job_monitoring_interval
        return interval + max(interval, 5)

    def run_maintenance_tasks(self):
        # A SIGTERM here waits for the round's end: RQ would raise StopRequested
        # mid-round and could leave its queue-cleaning lock taken for 15 minutes.
        self._in_maintenance = True
        try:
            if self.last_cleaned_at and self.scheduler is not None:
                self._recover("scheduler lock takeover", self._release_dead_scheduler_locks)
            # RQ's: restart our scheduler if it can take a lock, retry/fail abandoned jobs.
            super().run_maintenance_tasks()
            self._recover("job run sweep", self._sweep_runs)
        finally:
            self._in_maintenance = False
        if self._stop_after_maintenance:
            raise StopRequested()

    def _shutdown(self):
        if self._in_maintenance and self.get_state() != WorkerStatus.BUSY:
            self._stop_after_maintenance = True
            return
        super()._shutdown()

    def _release_dead_scheduler_locks(self):
        stale_after = max(2 * self.job_monitoring_interval, 5)
        release_stale_scheduler_locks(
            self.connection, self.scheduler, self.queue_names(), stale_after
        )

    def _sweep_runs(self):
        with self.app.app_context():
            try:
                sweep_runs(self.connection)
            finally:
                db.session.remove()

    def _recover(self, what: str, step) -> None:
        # An outage of Redis or the database must not stop the worker (RQ's loop
        # quits on anything unexpected); the next round tries again.
        try:
            step()
        except (SQLAlchemyError, RedisError):
            self.log.warning(
                "Worker %s: %s failed; retried next round", self.name, what, exc_info=True
            )

    # --- shutdown ---------------------------------------------------------------

    def subscribe(self):
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_POLL_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )

    def unsubscribe(self):
        thread, pubsub = self.pubsub_thread, self.pubsub
        if thread is None:
            return
        self.log.info(
            "Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name
        )
        self.pubsub_thread = None
        # Clear the thread's run flag first, without waiting; then the UNSUBSCRIBE
        # reply wakes it, it sees the flag and exits (closing the pubsub). Cleared
        # after the reply, as RQ does it, the thread may already wait for the next
        # subscription: 60 s under RQ's poll, a second under ours.
        try:
            thread.stop(timeout=0)
        except TypeError:  # redis-py < 8: stop() only clears the flag
            thread.stop()
        try:
            pubsub.unsubscribe()
        except RedisError as exc:
            self.log.warning("Worker %s: unsubscribe failed (%s)", self.name, exc)
        thread.join(PUBSUB_STOP_WAIT_SECONDS)
        if thread.is_alive():  # a daemon thread: it cannot hold up the exit
            self.log.warning("Worker %s: pubsub thread still busy; leaving it", self.name)
        else:
            pubsub.close()

    def stop_scheduler(self):
        process = self.scheduler._process if self.scheduler else None
        if process is None or not process.pid:
            return
        with contextlib.suppress(OSError):  # gone already
            os.kill(process.pid, signal.SIGTERM)
        # Its loop checks for the signal every second; it releases its locks on the way out.
        process.join(SCHEDULER_STOP_WAIT_SECONDS)
        if process.is_alive():
            self.log.warning("Worker %s: scheduler did not stop; killing it", self.name)
            process.kill()
            process.join(1)
            self.scheduler.release_locks()

    def _finish(self, job, run_id: str) -> None:
        try:
            if job.get_status(refresh=True) == JobStatus.FINISHED:
                with self.app.app_context():
                    finish_quiet_run(run_id)
        except Exception:  # the run stays "running" until the sweep of abandoned runs
            log.exception("job run %s: could not mark it succeeded", run_id)
