"""RQ worker that builds the app once, before RQ forks for each job."""

from __future__ import annotations

import gc
import logging
import os

from rq import Worker
from rq.job import JobStatus

from webapp.extensions import db
from webapp.jobs.registry import load_jobs
from webapp.jobs.runner import (
    PREPARED,
    begin_run,
    finish_quiet_run,
    recorded_run_id,
    runs_engine,
)

log = logging.getLogger(__name__)


class AppWorker(Worker):
    """A forking RQ worker whose jobs run inside an app context.

    The app (config, models, job modules) is built once in the parent; each
    forked job only pushes a context, so start-up cost is not paid per job.
    """

    def __init__(self, *args, app=None, **kwargs):
        if app is None:
            from webapp import create_app

            app = create_app()
        self.app = app
        if kwargs.get("connection") is None:
            from webapp.redis_conn import get_redis

            kwargs["connection"] = get_redis(app)
        super().__init__(*args, **kwargs)
        load_jobs()  # every job module imported once, in the parent: forked jobs start warm
        with app.app_context():
            # Dispose inherited pool connections in the child; sharing a socket
            # across a fork corrupts it.
            engines = (db.engine, runs_engine())
        os.register_at_fork(
            after_in_child=lambda: [engine.dispose(close=False) for engine in engines]
        )
        # The app's objects, built once, move out of the collector's sight: a forked
        # horse's garbage collection would otherwise touch (and so copy) every page.
        gc.freeze()

    def execute_job(self, job, queue):
        """Mark the run running before the fork and succeeded after it, from this process.

        The parent keeps its database connection between jobs; a work-horse would open
        a new one (~15 ms) just for the run's bookkeeping. A horse that reports counts,
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

    def _finish(self, job, run_id: str) -> None:
        try:
            if job.get_status(refresh=True) == JobStatus.FINISHED:
                with self.app.app_context():
                    finish_quiet_run(run_id)
        except Exception:  # the run stays "running" until the sweep of abandoned runs
            log.exception("job run %s: could not mark it succeeded", run_id)
