"""Throughput of a trivial job through Leadkeeper's job machinery against bare RQ.

    DATABASE_URL=postgresql://... REDIS_URL=redis://.../N python bench/jobs.py

Ours: `enqueue("diagnostics.noop")` (a job_runs row, committed, then RQ) drained by
our AppWorker (`python worker.py`: the app built once, every job in an app context,
its run marked running then succeeded). Baseline, as the goal is set: bare RQ no-op
jobs (`os.getpid`) enqueued with `Queue.enqueue` and drained by the same worker class
(AppWorker), so the figure is what our enqueue and job runs cost. For information, the
same bare jobs on a plain `rq.Worker` (the class AppWorker extends: both fork a
work-horse per job) show what the app-carrying worker itself costs. 1 and 2 worker
processes each.

A worker's throughput is taken from RQ's own timestamps, jobs / (last end - first
start), so the start-up of a worker process (building the app) and its exit are not
counted. Enqueue rates are printed too, for information. Goal: ours >= 80% of bare RQ.

BENCH_SCALE=small (default, ~1-2 minutes) or full; BENCH_JSON=path appends one JSON
object per figure. The Redis database of REDIS_URL is emptied: give it one of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = {"small": {"jobs": 300, "rounds": 1}, "full": {"jobs": 2000, "rounds": 3}}
GOAL = 0.80
BARE_JOB = "os.getpid"  # a no-op any worker can import


def _env() -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    env.setdefault("APP_ENV", "development")
    return env


def _start_workers(kind: str, count: int, redis_url: str) -> list[subprocess.Popen]:
    if kind in ("ours", "bare on AppWorker"):
        argv = [sys.executable, "worker.py", "--queues", "default"]
    else:
        rq = str(Path(sys.executable).with_name("rq"))
        argv = [rq, "worker", "-w", "rq.Worker", "--url", redis_url, "default"]
    return [
        subprocess.Popen(
            argv,
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its scheduler and work-horse go with it (killpg)
        )
        for _ in range(count)
    ]


def _stop(workers: list[subprocess.Popen]) -> None:
    # Killed rather than asked: a burst worker's exit can hang for a minute (issue 19),
    # and the figure comes from the jobs' timestamps anyway.
    for worker in workers:
        # The whole group: a worker's scheduler or horse left behind would take the next
        # round's jobs off the queue.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
    for worker in workers:
        worker.wait(timeout=30)


def _drain(redis, job_ids: list[str], kind: str, workers: int, redis_url: str) -> float:
    """Start `workers` processes, wait until every job finished; returns jobs per second."""
    from rq.job import Job, JobStatus

    processes = _start_workers(kind, workers, redis_url)
    try:
        deadline = time.monotonic() + 60 + len(job_ids) / 5  # far beyond 5 jobs/s
        last = Job.fetch(job_ids[-1], connection=redis)
        while last.get_status() != JobStatus.FINISHED:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind}: jobs not finished in time")
            if all(p.poll() is not None for p in processes):
                raise RuntimeError(f"{kind}: the workers exited")
            time.sleep(0.2)
        while not all(j is not None and j.ended_at for j in Job.fetch_many(job_ids, redis)):
            time.sleep(0.2)  # a second worker may still be on one of the others
    finally:
        _stop(processes)
    jobs = Job.fetch_many(job_ids, connection=redis)
    failed = [j.id for j in jobs if j.get_status() != JobStatus.FINISHED]
    if failed:
        raise RuntimeError(f"{kind}: {len(failed)} jobs did not finish")
    first = min(j.started_at for j in jobs)
    last_end = max(j.ended_at for j in jobs)
    return len(jobs) / (last_end - first).total_seconds()


def _enqueue_bare(redis, count: int) -> tuple[list[str], float]:
    from rq import Queue

    queue = Queue("default", connection=redis)
    started = time.perf_counter()
    ids = [queue.enqueue(BARE_JOB).id for _ in range(count)]
    return ids, count / (time.perf_counter() - started)


def _enqueue_ours(app, workspace_id, count: int) -> tuple[list[str], float]:
    from webapp.jobs import enqueue

    with app.app_context():
        started = time.perf_counter()
        runs = [enqueue("diagnostics.noop", workspace_id=workspace_id) for _ in range(count)]
        rate = count / (time.perf_counter() - started)
    return [run.rq_job_id for run in runs], rate


def _prepare(app):
    from flask_migrate import upgrade

    from webapp.extensions import db
    from webapp.services.accounts.users import get_or_create_workspace

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            raise SystemExit("bench/jobs.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
        upgrade(directory=str(ROOT / "migrations"))
        workspace = get_or_create_workspace(db.session, "bench-jobs")
        db.session.commit()
        return workspace.id


def _clean_runs(app, workspace_id) -> None:
    from webapp.extensions import db
    from webapp.models import JobRun

    with app.app_context():
        db.session.execute(db.delete(JobRun).where(JobRun.workspace_id == workspace_id))
        db.session.commit()


def measure(scale: str) -> list[dict]:
    from webapp import create_app
    from webapp.redis_conn import get_redis

    size = SIZES[scale]
    app = create_app()
    redis = get_redis(app)
    if redis is None:
        raise SystemExit("bench/jobs.py needs REDIS_URL")
    redis_url = app.config["REDIS_URL"]
    workspace_id = _prepare(app)
    results = []
    for workers in (1, 2):
        ours, bare_app, bare_rq, ours_enq, bare_enq = [], [], [], [], []
        for _ in range(size["rounds"]):
            for kind, into in (("bare on AppWorker", bare_app), ("bare", bare_rq)):
                redis.flushdb()
                ids, rate = _enqueue_bare(redis, size["jobs"])
                bare_enq.append(rate)
                into.append(_drain(redis, ids, kind, workers, redis_url))
            redis.flushdb()
            ids, rate = _enqueue_ours(app, workspace_id, size["jobs"])
            ours_enq.append(rate)
            ours.append(_drain(redis, ids, "ours", workers, redis_url))
            _clean_runs(app, workspace_id)
        name = f"{workers} worker{'s' if workers > 1 else ''}"
        goal = f">= {GOAL:.0%} of bare RQ on AppWorker"
        results.append(_case(f"trivial job, {name}", ours, bare_app, "jobs/s", goal))
        results.append(
            _case(f"bare job, AppWorker vs rq.Worker, {name}", bare_app, bare_rq, "jobs/s", None)
        )
        if workers == 1:
            results.append(_case("enqueue, one by one", ours_enq, bare_enq, "jobs/s", None))
    redis.flushdb()
    return results


def _case(case: str, ours: list[float], bare: list[float], unit: str, goal) -> dict:
    return {
        "bench": "jobs",
        "case": case,
        "figure": round(statistics.median(ours), 1),
        "baseline": round(statistics.median(bare), 1),
        "unit": unit,
        "goal": goal,
    }


def report(results: list[dict]) -> bool:
    print(f"{'case':42} {'figure':>10} {'baseline':>10} {'ratio':>7}  goal")
    met = True
    for row in results:
        ratio = row["figure"] / row["baseline"] if row["baseline"] else 0.0
        verdict = ""
        if row["goal"]:
            ok = ratio >= GOAL
            met = met and ok
            verdict = f"{row['goal']}: {'met' if ok else 'NOT met'}"
        print(
            f"{row['case']:42} {row['figure']:>10.1f} {row['baseline']:>10.1f} "
            f"{ratio:>7.2f}  {verdict}"
        )
    target = os.environ.get("BENCH_JSON")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            for row in results:
                out.write(json.dumps(row) + "\n")
    return met


def main() -> int:
    scale = os.environ.get("BENCH_SCALE", "small")
    if scale not in SIZES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SIZES)}")
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    report(measure(scale))  # figures, not a verdict: a goal missed is read in the table
    return 0


if __name__ == "__main__":
    sys.exit(main())
