"""`make bench`'s plumbing: which scripts run, their JSON lines, and RESULTS.md."""

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture()
def bench_modules(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import _report
    import _run_all

    yield _report, _run_all
    for name in ("_report", "_run_all"):
        sys.modules.pop(name, None)


def test_every_script_with_a_main_runs_and_helpers_do_not(bench_modules):
    _, run_all = bench_modules
    names = {path.name for path in run_all.bench_scripts()}
    assert {"leads_page.py", "capture.py"} <= names
    assert not {n for n in names if n.startswith("_")}
    assert "minimal_app.py" not in names  # the capture baseline's app has no main()


def test_emit_prints_and_appends_one_json_object_a_line(
    bench_modules, tmp_path, monkeypatch, capsys
):
    report, _ = bench_modules
    lines = tmp_path / "bench.jsonl"
    monkeypatch.setenv("BENCH_JSON", str(lines))
    report.emit("demo", [report.row("one", 30.0, 60.0, "ms", "< 2x")])
    report.emit("demo", [report.row("two", 5, 4, "req/s")])
    assert [json.loads(line) for line in lines.read_text().splitlines()] == [
        {
            "bench": "demo",
            "case": "one",
            "figure": 30.0,
            "baseline": 60.0,
            "unit": "ms",
            "goal": "< 2x",
        },
        {
            "bench": "demo",
            "case": "two",
            "figure": 5.0,
            "baseline": 4.0,
            "unit": "req/s",
            "goal": None,
        },
    ]
    assert "0.50" in capsys.readouterr().out  # the ratio, in the printed table


def test_results_have_the_machine_and_each_figure_beside_its_baseline(bench_modules):
    report, run_all = bench_modules
    facts = report.machine_facts(None, None)
    assert int(facts["cores"]) >= 1 and facts["CPU"] and facts["Python"]
    records = [
        {
            "bench": "jobs",
            "case": "a | b",
            "figure": 90.0,
            "baseline": 100.0,
            "unit": "jobs/s",
            "goal": ">= 0.80x",
        }
    ]
    text = run_all.results_markdown(records, facts, [("jobs.py", 12.0, "ok")], "small", 60.0)
    assert "| jobs | `a \\| b` | 90.00 | 100 | 0.90 | jobs/s | >= 0.80x |" in text
    assert "| cores |" in text and "| PostgreSQL |" in text and "BENCH_SCALE=small" in text


def test_sizes_follow_bench_scale(bench_modules, monkeypatch):
    report, _ = bench_modules
    monkeypatch.delenv("BENCH_SCALE", raising=False)
    assert report.scaled(100_000, 1_000_000) == 100_000
    monkeypatch.setenv("BENCH_SCALE", "full")
    assert report.scaled(100_000, 1_000_000) == 1_000_000
