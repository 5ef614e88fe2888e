"""A worker killed with SIGKILL mid-delivery: a new worker finishes its work (issue 19).

Real PostgreSQL, Redis and worker processes: the worker, its scheduler and its
work-horse are killed while a slow receiver holds the first of three webhooks; a
worker started after it must send all three within 2 minutes (with the short
intervals set here, in about 20 s), and the job's run must say it was retried.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from webapp.jobs import enqueue
from webapp.jobs.events import RELAY_PERIODIC
from webapp.jobs.recovery import RETRYING
from webapp.models import JobRun
from webapp.models.webhooks import WebhookDelivery, WebhookEndpoint
from webapp.redis_conn import get_redis
from webapp.services.leads.timeline import create_lead

ROOT = Path(__file__).resolve().parents[2]
RECOVERED_WITHIN = 120  # seconds, as the issue asks; these settings take ~20
FAST_RECOVERY = {
    "WORKER_HEARTBEAT_SECONDS": "1",  # a killed job is abandoned ~6 s after
    "WORKER_SWEEP_SECONDS": "2",
    "WEBHOOK_TIMEOUT_SECONDS": "3",  # a delivery's claim lasts 11 s
    "WEBHOOKS_ALLOW_PRIVATE": "1",
}


class SlowReceiver:
    """Holds the first request (until released); answers every other one at once."""

    def __init__(self):
        self.server = HTTPServer(threaded=True)
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        self.delivered: list[str] = []  # webhook-ids answered 200
        self.lock = threading.Lock()
        self.server.expect_request("/hook", method="POST").respond_with_handler(self.handle)

    def handle(self, request):
        with self.lock:
            first = not self.first_arrived.is_set()
            self.first_arrived.set()
        if first:
            self.release.wait(30)
            return Response("too late", 200)  # its sender is dead: nobody reads this
        with self.lock:
            self.delivered.append(request.headers["webhook-id"])
        return Response("ok", 200)


@pytest.fixture()
def receiver():
    slow = SlowReceiver()
    slow.server.start()
    yield slow
    slow.release.set()
    slow.server.clear()
    if slow.server.is_running():
        slow.server.stop()


def start_worker() -> subprocess.Popen:
    env = {**os.environ, **FAST_RECOVERY, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "worker.py", "--queues", "high,default,low"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as under a supervisor
    )


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def kill_worker(worker: subprocess.Popen) -> None:
    """SIGKILL the worker's process group and its work-horse (RQ puts it in a group of its own)."""
    helpers = children_of(worker.pid)  # found before the kill re-parents them
    os.killpg(worker.pid, signal.SIGKILL)
    for pid in helpers:
        with contextlib.suppress(ProcessLookupError):  # the scheduler: in the group
            os.kill(pid, signal.SIGKILL)
    worker.wait(10)


def stop_worker(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
    try:
        _out, err = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        _out, err = worker.communicate()
    return err or ""


def three_events(db, factory, receiver) -> list[str]:
    workspace = factory.workspace()
    db.session.add(
        WebhookEndpoint(
            workspace_id=workspace.id,
            url=receiver.server.url_for("/hook"),
            event_types=["LeadCreated"],
        )
    )
    db.session.commit()
    for n in range(3):
        create_lead(
            db.session, workspace.id, {"first_name": f"Ada {n}", "email": f"ada{n}@example.com"}
        )
        db.session.commit()
    # Only the job under test sends them: forget the relay that the commits kicked.
    get_redis().flushdb()
    from webapp.models import Event

    return [str(e.id) for e in db.session.execute(db.select(Event).order_by(Event.id)).scalars()]


def wait_until(condition, timeout: float, step: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


@pytest.mark.redis
@pytest.mark.postgres
def test_a_killed_workers_deliveries_go_out_from_a_new_worker(
    app, db, factory, redis_url, receiver
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("worker processes share the database: needs DATABASE_URL (PostgreSQL)")
    event_ids = three_events(db, factory, receiver)
    run = enqueue(RELAY_PERIODIC)  # the relay, recorded and retried like any job
    first = start_worker()
    second = None
    try:
        assert receiver.first_arrived.wait(60), stop_worker(first)[-3000:]
        kill_worker(first)  # mid-delivery of the first event
        killed_at = time.monotonic()
        second = start_worker()

        def all_delivered():
            db.session.expire_all()
            states = db.session.execute(db.select(WebhookDelivery.status)).scalars().all()
            return len(states) == 3 and set(states) == {"succeeded"}

        recovered = wait_until(all_delivered, RECOVERED_WITHIN)
        took = time.monotonic() - killed_at
        log = stop_worker(second)
        assert recovered, f"not all delivered {took:.0f} s after the kill:\n{log[-4000:]}"
    finally:
        receiver.release.set()
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)

    # Each event reached the receiver; the one in flight may come twice (it dedupes).
    assert sorted(set(receiver.delivered)) == sorted(event_ids)
    db.session.expire_all()
    stored = db.session.get(JobRun, run.id)
    assert (stored.status, stored.attempts, stored.error) == ("succeeded", 2, RETRYING)
    assert took < RECOVERED_WITHIN
