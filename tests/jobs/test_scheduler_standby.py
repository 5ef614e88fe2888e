"""Two `worker.py --scheduler` processes: one schedules, the other says it stands by.

RQ's CronScheduler has no lock of its own; two active ones would enqueue every
periodic job twice. The second waits, says so, and takes over when the first stops.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from webapp.jobs.scheduler_lock import LEADER_KEY, SchedulerLeadership
from webapp.redis_conn import get_redis

ROOT = Path(__file__).resolve().parents[2]


def start_scheduler(log: Path) -> subprocess.Popen:
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "worker.py"), "--scheduler"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(log: Path, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text()
        if text in content:
            return content
        time.sleep(0.1)
    pytest.fail(f"{text!r} not in {log.name}:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def test_a_second_scheduler_stands_by_and_takes_over(app, db, redis_url, tmp_path):
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_scheduler(first_log)
    second = None
    try:
        wait_for(first_log, "active, scheduling periodic jobs")
        second = start_scheduler(second_log)
        said = wait_for(second_log, "standing by, another scheduler")
        assert "active, scheduling" not in said
        stop(first)  # a clean stop hands the lead over at once
        wait_for(second_log, "active, scheduling periodic jobs", timeout=10)
    finally:
        stop(first)
        if second is not None:
            stop(second)
    assert get_redis(app).get(LEADER_KEY) is None  # released at the stop


def test_the_lead_is_one_holders_until_released_or_expired(app, redis_url):
    redis = get_redis(app)
    first = SchedulerLeadership(redis, "first", ttl=30)
    second = SchedulerLeadership(redis, "second", ttl=30)
    assert first.acquire() and not second.acquire()
    assert second.holder() == "first" and first.refresh() and not second.refresh()
    second.release()  # not the holder: nothing happens
    assert first.holder() == "first"
    first.release()
    assert second.acquire() and second.holder() == "second"
    redis.expire(LEADER_KEY, 0)  # the holder was killed and its lead ran out
    assert first.acquire()
    redis.delete(LEADER_KEY)
