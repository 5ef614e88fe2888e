"""`make bench`: run every bench script, then write bench/RESULTS.md.

A bench script is any bench/*.py with a module-level main() whose name does not start
with "_" (bench/minimal_app.py, a baseline app, has none). Each runs in its own
process with BENCH_JSON pointing at one file; its report lines (bench/_report.py)
become one table, each figure beside its baseline and their ratio, under the
machine's facts. Exits non-zero when a script fails or reports nothing, after
writing what the others measured.

PostgreSQL: DATABASE_URL when set; otherwise a fresh `leadkeeper_bench` database on
127.0.0.1:5432 becomes DATABASE_URL for the scripts (each loads databases of its
own on that server). Redis: REDIS_URL when set, else redis://127.0.0.1:6379/15
(scripts flush it).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import _report

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def bench_scripts() -> list[Path]:
    scripts = []
    for path in sorted(BENCH.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            scripts.append(path)
    return scripts


def bench_database() -> str:
    if url := os.environ.get("DATABASE_URL", "").strip():
        return url
    import psycopg

    admin = _report.admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS leadkeeper_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE leadkeeper_bench")
    return _report.database_url(admin, "leadkeeper_bench")


def run(script: Path, env: dict) -> tuple[int, float]:
    print(f"\n=== {script.name} ===", flush=True)
    started = time.perf_counter()
    code = subprocess.run([sys.executable, str(script)], env=env, cwd=BENCH.parent).returncode
    return code, time.perf_counter() - started


def _number(value: float) -> str:
    if value != value:  # NaN
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def results_markdown(records, facts, runs, scale: str, elapsed: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` (BENCH_SCALE={scale}), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{elapsed / 60:.1f} minutes. Each figure beside its baseline measured in the same "
        "run; ratio = figure / baseline. Written by bench/_run_all.py.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
        "| bench | case | figure | baseline | ratio | unit | goal |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in records:
        ratio = _report.ratio(r["figure"], r["baseline"])
        case = r["case"].replace("|", "\\|")
        lines.append(
            f"| {r['bench']} | `{case}` | {_number(r['figure'])} | {_number(r['baseline'])} "
            f"| {_number(ratio)} | {r['unit']} | {r.get('goal') or ''} |"
        )
    lines += ["", "| script | seconds | outcome |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {secs:.0f} | {outcome} |" for name, secs, outcome in runs]
    return "\n".join(lines) + "\n"


def main() -> int:
    started = time.perf_counter()
    load_before = _load_average()
    scale = "full" if _report.full_scale() else "small"
    env = {**os.environ, "BENCH_SCALE": scale, "PYTHONUNBUFFERED": "1"}
    env["DATABASE_URL"] = bench_database()
    env["REDIS_URL"] = os.environ.get("REDIS_URL", "").strip() or DEFAULT_REDIS
    with tempfile.TemporaryDirectory(prefix="leadkeeper-bench-") as tmp:
        lines = Path(tmp) / "results.jsonl"
        env["BENCH_JSON"] = str(lines)
        runs, failed = [], []
        for script in bench_scripts():
            before = len(_read(lines))
            code, seconds = run(script, env)
            reported = len(_read(lines)) - before
            outcome = "ok" if code == 0 and reported else f"FAILED (exit {code}, {reported} rows)"
            if outcome != "ok":
                failed.append(script.name)
            runs.append((script.name, seconds, outcome))
        records = _read(lines)
    facts = _report.machine_facts(env["DATABASE_URL"], env["REDIS_URL"])
    # The machine may be shared: say how busy it was, so a figure can be read against it.
    facts["load average (1 min) at start / end"] = f"{load_before} / {_load_average()}"
    elapsed = time.perf_counter() - started
    RESULTS.write_text(results_markdown(records, facts, runs, scale, elapsed), encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(BENCH.parent)} ({len(records)} rows, {elapsed:.0f} s)")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


if __name__ == "__main__":
    sys.exit(main())
