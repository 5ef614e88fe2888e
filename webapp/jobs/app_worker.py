"""RQ worker that builds the app once, before RQ forks for each job."""

from __future__ import annotations

import importlib
import os
import pkgutil

from rq import Worker

from webapp.extensions import db


def preload_job_modules() -> None:
    """Import every job module once, in the parent, so forked jobs start warm."""
    import webapp.jobs as jobs_package

    for module in pkgutil.iter_modules(jobs_package.__path__, "webapp.jobs."):
        importlib.import_module(module.name)


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
        preload_job_modules()
        with app.app_context():
            # Dispose inherited pool connections in the child; sharing a socket
            # across a fork corrupts it.
            engine = db.engine
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))

    def unsubscribe(self):
        """Stop listening for commands without waiting out the listener's 60 s poll.

        RQ unsubscribes and then stops its pub/sub thread; redis-py (8.2) makes that
        stop wait for the thread, which may already be back in a 60 s wait for a new
        subscription, so a worker could take a minute to exit (a burst worker too).
        The thread is a daemon: stopping it and not waiting is enough.
        """
        thread = self.pubsub_thread
        if thread is None:
            return super().unsubscribe()
        self.log.info(
            "Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name
        )
        self.pubsub.unsubscribe()
        try:
            thread.stop(timeout=1)
        except TypeError:  # redis-py before 8.2: stop() takes no timeout and does not wait
            thread.stop()
            thread.join(timeout=1)
        self.pubsub.close()

    def perform_job(self, job, queue, *args, **kwargs):
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()
