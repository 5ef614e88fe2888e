"""The whole lead pipeline for N companies against the sandbox provider, vs no-op RQ jobs.

    DATABASE_URL=postgresql://... REDIS_URL=redis://.../N python bench/pipeline.py

Ours: a workspace wired to the sandbox provider (served by this process over real HTTP)
with ceil(N / 50) saved queries of 50 companies; `pipeline.discover_workspace` starts
them, and each saved company runs `pipeline.enrich` → `pipeline.deliver` →
`pipeline.upload` (hot and warm), every step a job through our facade, drained by 1
and then 2 AppWorker processes (`python worker.py`). Baseline, in the same run: bare
RQ no-op jobs (`os.getpid`) on the same worker class (bench/jobs.py's measure), 1 and 2
workers.

Figures: companies/s end to end (first step started to last step ended, from the
job_runs rows); each step's jobs/s: its runs over its share of the wall time, that
share being its part of all steps' busy time (steps run side by side on the same
workers); and the ratio to the no-op rate. Goals: each step >= 1/3 of the no-op
rate; 2 workers >= 1.7 x one, end to end.

BENCH_SCALE=full: 2,000 companies; default: 40 (BENCH_COMPANIES=n to choose).
The Redis database of REDIS_URL is emptied: give it one of its own.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._report import emit, row, scaled  # noqa: E402

STEPS = ("pipeline.discover_query", "pipeline.enrich", "pipeline.deliver", "pipeline.upload")
PER_QUERY = 50
STEP_GOAL = 1 / 3
SCALE_GOAL = 1.7


def _sandbox() -> str:
    """The sandbox provider under /sandbox (as the app mounts it: the demo wiring's own)."""
    from flask import Flask
    from werkzeug.serving import make_server

    from webapp.sandbox import bp as sandbox_bp

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    sandbox_app = Flask("sandbox_for_bench")
    sandbox_app.config["REDIS_URL"] = None
    sandbox_app.register_blueprint(sandbox_bp, url_prefix="/sandbox")
    server = make_server("127.0.0.1", 0, sandbox_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/sandbox"


def _workspace(app, sandbox_url: str, companies: int, tag: str):
    """A fresh workspace wired to the sandbox, with its queries (fresh: discovery dedupes)."""
    from webapp.extensions import db
    from webapp.models import Workspace
    from webapp.models.discovery import DiscoveryQuery
    from webapp.models.providers import PlatformRoute
    from webapp.services.pipeline_settings.demo import wire_to_sandbox

    with app.app_context():
        workspace = Workspace(slug=f"bench-pipeline-{tag}-{os.getpid()}", name="Bench pipeline")
        workspace.daily_credit_limit = 10**9
        db.session.add(workspace)
        db.session.flush()
        wire_to_sandbox(db.session, workspace.id, sandbox_url, "sales@example.com")
        for route in db.session.scalars(
            db.select(PlatformRoute).where(PlatformRoute.workspace_id == workspace.id)
        ):
            route.rate_limit_per_minute = 10**6  # the bench measures us, not a rate limit
        left = companies
        for n in range(math.ceil(companies / PER_QUERY)):
            db.session.add(
                DiscoveryQuery(
                    workspace_id=workspace.id,
                    name=f"Bench topic {n}",
                    topic=f"Bench topic {n} automation",
                    daily_limit=min(PER_QUERY, left),
                )
            )
            left -= PER_QUERY
        db.session.commit()
        return workspace.id


def _run_chain(app, workspace_id, workers: int, timeout: float) -> dict:
    from bench.jobs import _start_workers, _stop
    from webapp.extensions import db
    from webapp.jobs import enqueue
    from webapp.models import JobRun, Lead

    processes = _start_workers("ours", workers, app.config["REDIS_URL"])
    try:
        time.sleep(1.5)  # the workers build the app; the clock starts at the first job
        with app.app_context():
            enqueue("pipeline.discover_workspace", str(workspace_id), workspace_id=workspace_id)
            deadline = time.monotonic() + timeout
            while True:
                active = db.session.execute(
                    db.select(db.func.count())
                    .select_from(JobRun)
                    .where(
                        JobRun.workspace_id == workspace_id,
                        JobRun.status.in_(("queued", "running")),
                    )
                ).scalar_one()
                db.session.rollback()
                if not active:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the chain did not end in {timeout:.0f} s ({active} left)")
                time.sleep(0.25)
    finally:
        _stop(processes)
    with app.app_context():
        runs = db.session.execute(
            db.select(JobRun.kind, JobRun.status, JobRun.started_at, JobRun.finished_at).where(
                JobRun.workspace_id == workspace_id
            )
        ).all()
        leads = db.session.execute(
            db.select(db.func.count()).select_from(Lead).where(Lead.workspace_id == workspace_id)
        ).scalar_one()
    failed = [r for r in runs if r.status != "succeeded"]
    if failed:
        print(f"warning: {len(failed)} runs did not succeed: {sorted({r.kind for r in failed})}")
    done = [r for r in runs if r.started_at and r.finished_at]
    span = (max(r.finished_at for r in done) - min(r.started_at for r in done)).total_seconds()
    busy = {k: 0.0 for k in STEPS}
    count = {k: 0 for k in STEPS}
    for r in done:
        if r.kind in busy:
            busy[r.kind] += (r.finished_at - r.started_at).total_seconds()
            count[r.kind] += 1
    total_busy = sum(busy.values()) or 1.0
    rates = {
        k: count[k] / (span * busy[k] / total_busy) if busy[k] else float("nan") for k in STEPS
    }
    return {"companies": leads, "span": span, "rate": leads / span, "steps": rates, "count": count}


def measure() -> list[dict]:
    from flask_migrate import upgrade

    from bench.jobs import _drain, _enqueue_bare
    from webapp import create_app
    from webapp.extensions import db
    from webapp.redis_conn import get_redis

    companies = int(os.environ.get("BENCH_COMPANIES") or scaled(40, 2000))
    app = create_app()
    redis = get_redis(app)
    with app.app_context():
        if redis is None or db.engine.dialect.name != "postgresql":
            raise SystemExit("bench/pipeline.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
        upgrade(directory=str(ROOT / "migrations"))
    sandbox_url = _sandbox()
    rows, chains, noops = [], {}, {}
    for workers in (1, 2):
        redis.flushdb()
        ids, _ = _enqueue_bare(redis, scaled(300, 2000))
        noops[workers] = _drain(redis, ids, "bare on AppWorker", workers, app.config["REDIS_URL"])
        redis.flushdb()
        workspace_id = _workspace(app, sandbox_url, companies, f"{workers}w")
        chains[workers] = chain = _run_chain(app, workspace_id, workers, 300 + 5 * companies)
        name = f"{workers} worker{'s' if workers > 1 else ''}"
        print(
            f"{name}: {chain['companies']} companies in {chain['span']:.1f} s; runs "
            + ", ".join(f"{k.split('.')[1]} {n}" for k, n in chain["count"].items())
        )
        rows.append(
            row(
                f"companies end to end, {name}",
                chain["rate"],
                noops[workers],
                "companies/s vs no-op jobs/s",
            )
        )
        for step in STEPS:
            rows.append(
                row(
                    f"{step}, {name}",
                    chain["steps"][step],
                    noops[workers],
                    "jobs/s vs no-op jobs/s",
                    f">= {STEP_GOAL:.2f} of no-op",
                )
            )
    rows.append(
        row(
            "companies end to end, 2 workers vs 1",
            chains[2]["rate"],
            chains[1]["rate"],
            "companies/s",
            f">= {SCALE_GOAL}x",
        )
    )
    redis.flushdb()
    return rows


def main() -> int:
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The sandbox listens on 127.0.0.1: the app and its workers may call it there.
    os.environ["PROVIDERS_ALLOW_PRIVATE"] = "1"
    emit("pipeline", measure())
    return 0


if __name__ == "__main__":
    sys.exit(main())
