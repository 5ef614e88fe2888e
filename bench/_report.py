"""What every bench script reports, and how: one figure beside its baseline per case.

A script calls `emit(bench, rows)` at the end of its main(): the rows are printed as a
table, and when BENCH_JSON=<path> is set each is appended to that file as one JSON
object per line:

    {"bench": str, "case": str, "figure": float, "baseline": float, "unit": str,
     "goal": str | null}

`figure` is ours, `baseline` what the same work costs without Leadkeeper (bare SQL, a
bare Flask app, bare RQ…) measured in the same run; `make bench` (bench/_run_all.py)
gathers the lines into bench/RESULTS.md. BENCH_SCALE=full asks for the full sizes
(a million leads); anything else is the small run that `make bench` does by default.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path


def full_scale() -> bool:
    return os.environ.get("BENCH_SCALE", "").strip().lower() == "full"


def scaled(small, full):
    """The size for this run: `full` under BENCH_SCALE=full, else `small`."""
    return full if full_scale() else small


def row(case: str, figure: float, baseline: float, unit: str, goal: str | None = None) -> dict:
    return {
        "case": case,
        "figure": float(figure),
        "baseline": float(baseline),
        "unit": unit,
        "goal": goal,
    }


def ratio(figure: float, baseline: float) -> float:
    return figure / baseline if baseline else float("nan")


def emit(bench: str, rows: list[dict]) -> None:
    """Print the rows as a table and append them to BENCH_JSON when it is set."""
    records = [{"bench": bench, **r} for r in rows]
    width = max([len(r["case"]) for r in records] + [4])
    print(f"\n{bench}")
    print(f"{'case':{width}}  {'figure':>10}  {'baseline':>10}  {'ratio':>6}  unit / goal")
    for r in records:
        print(
            f"{r['case']:{width}}  {r['figure']:>10.1f}  {r['baseline']:>10.1f}  "
            f"{ratio(r['figure'], r['baseline']):>6.2f}  {r['unit']}"
            + (f" / {r['goal']}" if r["goal"] else "")
        )
    path = os.environ.get("BENCH_JSON")
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            for r in records:
                out.write(json.dumps(r) + "\n")


def admin_url() -> str:
    """The `postgres` database of DATABASE_URL's server (127.0.0.1:5432 without one),
    where a script creates and drops the databases it loads."""
    from sqlalchemy.engine import make_url

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    server = make_url(url).set(drivername="postgresql", database="postgres")
    return server.render_as_string(hide_password=False)


def database_url(admin: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def machine_facts(database: str | None, redis_url: str | None) -> dict[str, str]:
    """CPU, cores and the versions the figures were measured with."""
    facts = {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "Python": platform.python_version(),
        "PostgreSQL": "unknown",
        "Redis": "unknown",
        "OS": platform.platform(terse=True),
    }
    if database:
        try:
            import psycopg

            with psycopg.connect(database, connect_timeout=5) as conn:
                facts["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
        except Exception as exc:  # a fact we could not read is said so, not guessed
            facts["PostgreSQL"] = f"unreachable ({type(exc).__name__})"
    if redis_url:
        try:
            import redis

            info = redis.Redis.from_url(redis_url, socket_connect_timeout=5).info("server")
            facts["Redis"] = info["redis_version"]
        except Exception as exc:
            facts["Redis"] = f"unreachable ({type(exc).__name__})"
    return facts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        return subprocess.run(
            ["uname", "-p"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
