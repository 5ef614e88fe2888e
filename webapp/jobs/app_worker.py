"""RQ worker that builds the app once, before RQ forks for each job."""

from __future__ import annotations

import os

from rq import Worker

from webapp.extensions import db
from webapp.jobs.registry import load_jobs


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
            engine = db.engine
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))

    def perform_job(self, job, queue, *args, **kwargs):
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()
