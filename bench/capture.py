"""Sustained POST /api/v1/leads under gunicorn on PostgreSQL + Redis, against a baseline.

    python bench/capture.py [--rounds N] [--duration S] [--connections 16] [--workers 4]
    (rounds of 5 s, 2 of them; BENCH_SCALE=full: 4 rounds of 10 s)

Runs Leadkeeper's capture endpoint and bench/minimal_app.py (a bare Flask endpoint
inserting one row into a similar table) under the same gunicorn settings, in
alternating rounds, with wrk as the load generator (apt-get install wrk). Prints the
median requests/s, p50 and worst p99 latency, errors, and the ratio to the baseline;
then counts leads and events to prove none were lost. Goal: >= 50% of the baseline's
throughput, p99 under 100 ms, zero errors, zero lost leads.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))

import _report  # noqa: E402

CREATE_FORM = """
from webapp import create_app
from webapp.extensions import db
from webapp.models.forms import CaptureForm
from webapp.services.accounts.users import get_or_create_workspace
app = create_app()
with app.app_context():
    ws = get_or_create_workspace(db.session, "bench")
    form = CaptureForm(workspace_id=ws.id, name="Bench", rate_limit_per_hour=10**9)
    db.session.add(form)
    db.session.commit()
    print(form.public_key)
"""


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return _report.database_url(admin_url, name)


def serve(app_spec: str, port: int, workers: int, env: dict, chdir: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(chdir),
            app_spec,
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"{app_spec} did not start on port {port}")


def parse_latency(text: str, label: str) -> float:
    match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(url: str, key: str, duration: int, connections: int) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "capture.lua"),
        url,
        "--",
        key,
        secrets.token_hex(4),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in socket.groups()) if socket else 0
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": parse_latency(out, "50"),
        "p99": parse_latency(out, "99"),
        "requests": total,
        "errors": errors,
    }


def summarize(runs: list[dict]) -> dict:
    """Median throughput and latency over the measured rounds, the worst p99; all answers."""
    measured = [r for r in runs if not r.get("warm-up")]
    return {
        "rps": statistics.median(r["rps"] for r in measured),
        "p50": statistics.median(r["p50"] for r in measured),
        "p99": max(r["p99"] for r in measured),
        "errors": sum(r["errors"] for r in measured),
        "requests": sum(r["requests"] for r in measured),
        "answered": sum(r["requests"] - r["errors"] for r in runs),
        "by_round": " ".join(f"{r['rps']:.0f}" for r in measured),
    }


def refresh_statistics(url: str) -> None:
    """What autovacuum's analyze does in production: keep the planner's row counts current.

    The tables grow from empty to tens of thousands of rows during the run. Without
    statistics the planner can pick a poor index for the foreign-key checks, and each
    insert then scans more as the table grows (seen on a server with autovacuum off).
    """
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=_report.admin_url())
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/8",
        help="flushed at the start",
    )
    parser.add_argument(
        "--duration", type=int, default=_report.scaled(5, 10), help="seconds per round"
    )
    parser.add_argument("--rounds", type=int, default=_report.scaled(2, 4))
    parser.add_argument("--connections", type=int, default=16)
    # The README's production command: gunicorn -w 4.
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    db_url = fresh_database(args.admin_url, "leadkeeper_bench_capture")
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": db_url,
        "REDIS_URL": args.redis_url,
        "LOG_LEVEL": "WARNING",
        "FLASK_APP": "webapp",
        "TRUSTED_PROXIES": "1",  # wrk's X-Forwarded-For stands for many visitors
    }
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    subprocess.run(
        [str(BIN / "flask"), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    key = (
        subprocess.run(
            [str(BIN / "python"), "-c", CREATE_FORM],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    sys.path.insert(0, str(ROOT / "bench"))
    from minimal_app import TABLE

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(TABLE)
        autovacuum = conn.execute("SHOW autovacuum").fetchone()[0]

    apps = {
        "minimal insert": ("minimal_app:create_app()", ROOT / "bench", 5181),
        "leadkeeper capture": ("webapp:create_app()", ROOT, 5182),
    }
    servers = [serve(spec, port, args.workers, env, chdir) for spec, chdir, port in apps.values()]
    urls = {name: f"http://127.0.0.1:{port}/api/v1/leads" for name, (_, _, port) in apps.items()}
    runs: dict[str, list[dict]] = {name: [] for name in apps}
    try:
        for name, url in urls.items():  # warm-up: pools, imports, caches
            runs[name].append({**run_wrk(url, key, 3, args.connections), "warm-up": True})
        # Alternate the two in short rounds, so a machine that speeds up or slows down
        # during the run weighs on both alike.
        order = list(urls)
        for round_number in range(args.rounds):
            for name in order if round_number % 2 == 0 else reversed(order):
                refresh_statistics(db_url)
                runs[name].append(run_wrk(urls[name], key, args.duration, args.connections))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)

    results = {name: summarize(measured) for name, measured in runs.items()}
    leads = count(db_url, "SELECT count(*) FROM leads")
    events = count(db_url, "SELECT count(*) FROM events WHERE event_type = 'LeadCreated'")
    base, ours = results["minimal insert"], results["leadkeeper capture"]
    print(
        f"gunicorn -w {args.workers} (sync), wrk -t2 -c{args.connections}, "
        f"{args.rounds} alternating rounds of {args.duration}s each"
    )
    print(f"autovacuum: {autovacuum}; ANALYZE before every round either way")
    print(f"{'':22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>9}{'requests':>10}")
    for name, r in results.items():
        print(
            f"{name:22}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}"
            f"{r['errors']:>9}{r['requests']:>10}"
        )
    print("req/s by round: " + "; ".join(f"{n}: {r['by_round']}" for n, r in results.items()))
    ratio = ours["rps"] / base["rps"] if base["rps"] else float("nan")
    print(f"throughput ratio (leadkeeper / minimal): {ratio:.2f}  (goal >= 0.50)")
    # Each round against the baseline round next to it: shows how much the machine moved.
    pairs = zip(
        (r for r in runs["leadkeeper capture"] if not r.get("warm-up")),
        (r for r in runs["minimal insert"] if not r.get("warm-up")),
        strict=True,
    )
    print("ratio by round: " + " ".join(f"{a['rps'] / b['rps']:.2f}" for a, b in pairs if b["rps"]))
    print(f"p99: {ours['p99']:.1f} ms (goal < 100 ms)")
    # Every 201 (warm-up included) must be a stored lead with its LeadCreated event.
    lost = max(0, ours["answered"] - leads) + abs(leads - events)
    print(
        f"201 answers: {ours['answered']}, leads stored: {leads}, "
        f"LeadCreated events: {events}, lost: {lost}"
    )
    _report.emit(
        f"capture (gunicorn -w {args.workers}, wrk -c{args.connections})",
        [
            _report.row(
                "POST /api/v1/leads throughput",
                ours["rps"],
                base["rps"],
                "req/s (baseline: bare Flask insert)",
                ">= 0.50x baseline",
            ),
            _report.row(
                "POST /api/v1/leads p99 latency",
                ours["p99"],
                base["p99"],
                "ms (baseline: bare Flask insert)",
                "< 100 ms",
            ),
        ],
    )
    return 0 if lost == 0 and ours["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
