"""Start an RQ worker (or the scheduler) with the Leadkeeper app context.

python worker.py [--burst] [--queues high,default,low]
python worker.py --scheduler
"""

from __future__ import annotations

import argparse
import gc
import sys

from webapp import create_app
from webapp.redis_conn import get_redis


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--queues", default="high,default,low", help="comma-separated, by priority")
    parser.add_argument("--scheduler", action="store_true", help="run the cron scheduler instead")
    args = parser.parse_args(argv)

    load_env_files()
    app = create_app()
    redis = get_redis(app)
    if redis is None:
        print("REDIS_URL is not set: jobs run inline in the web process.", file=sys.stderr)
        return 2

    if args.scheduler:
        from webapp.jobs.schedule import build_scheduler

        build_scheduler(app, redis).start()
        _skip_collection_at_exit()
        return 0

    from webapp.jobs.app_worker import AppWorker

    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = set(queues) - set(app.config["JOB_QUEUES"])
    if unknown:
        parser.error(f"unknown queues: {', '.join(sorted(unknown))}")
    worker = AppWorker(queues, connection=redis, app=app)
    worker.work(burst=args.burst, with_scheduler=True)
    _skip_collection_at_exit()
    return 0


def load_env_files() -> None:
    """Read .env and .flaskenv as the `flask` command does (real environment variables win;
    FLASK_SKIP_DOTENV=1 skips them), so `python worker.py` runs as `flask run` does."""
    from flask.cli import get_load_dotenv, load_dotenv

    if get_load_dotenv():
        load_dotenv()


def _skip_collection_at_exit() -> None:
    """Leave the app's objects to the OS instead of the interpreter's exit-time GC.

    That GC walks every object the app loaded (~150k) and took most of the ~0.5 s
    of CPU between "done" and the exit; the files and sockets still close.
    """
    gc.disable()
    gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
