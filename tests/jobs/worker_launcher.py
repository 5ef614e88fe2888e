"""Start `worker.py` many times and time how long each takes to exit (issue 19).

    python tests/jobs/worker_launcher.py burst --runs 50 --parallel 2
    python tests/jobs/worker_launcher.py idle --runs 10 --parallel 2
    python tests/jobs/worker_launcher.py busy --runs 3 --job-seconds 2

Each run is `worker.main(...)` in a process of its own, forked from this one once
the imports are warm (a cold `python worker.py` costs ~1.5 s of CPU, 50 of them too
much for CI); it leaves through `sys.exit` and the interpreter's normal shutdown,
as `python worker.py` does. Prints one JSON object: for each run, the seconds from
"done, quitting" (burst), from SIGTERM (idle) or from the end of its job (busy)
to the process's exit, and its exit code. Needs REDIS_URL (and DATABASE_URL for the app).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import worker  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.jobs.registry import load_jobs  # noqa: E402


class _Marker(logging.Handler):
    """Writes "<pid> <event> <time>" to the launcher's pipe when the worker logs a marker."""

    MARKERS = {"done, quitting": "done", "Listening on": "listening"}

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd

    def emit(self, record):
        message = record.getMessage()
        for text, event in self.MARKERS.items():
            if text in message:
                os.write(self.fd, f"{os.getpid()} {event} {time.time()}\n".encode())


def _run_worker(argv: list[str], fd: int) -> None:
    logging.getLogger("rq.worker").addHandler(_Marker(fd))
    code = 1
    try:
        code = worker.main(argv)
    finally:
        os.write(fd, f"{os.getpid()} returned {time.time()}\n".encode())
        sys.exit(code)  # the interpreter's own shutdown, as after `python worker.py`


def _fork(argv: list[str], fd: int) -> int:
    pid = os.fork()  # the children share the pipe's write end; lines are atomic
    if pid == 0:
        _run_worker(argv, fd)
    return pid


class _Events:
    def __init__(self, fd: int):
        self.file = os.fdopen(fd, "r", buffering=1)
        os.set_blocking(fd, False)
        self.seen: dict[tuple[int, str], float] = {}

    def poll(self) -> None:
        for line in self.file.readlines():
            pid, event, moment = line.split()
            self.seen[(int(pid), event)] = float(moment)


def _reap(pids: set[int], exits: dict[int, tuple[float, int]]) -> None:
    for pid in pids - exits.keys():
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            exits[pid] = (time.time(), os.waitstatus_to_exitcode(status))


def _pipeline(runs: int, parallel: int, argv: list[str], on_tick=None):
    """Run `runs` workers, `parallel` at a time (a new one as one exits); returns
    the events seen and each pid's (exit time, exit code)."""
    read_fd, write_fd = os.pipe()
    events = _Events(read_fd)
    pids: set[int] = set()
    exits: dict[int, tuple[float, int]] = {}
    while len(exits) < runs:
        while len(pids) - len(exits) < parallel and len(pids) < runs:
            pids.add(_fork(argv, write_fd))
        events.poll()
        if on_tick:
            on_tick(pids - exits.keys(), events)
        _reap(pids, exits)
        time.sleep(0.02)
    events.poll()
    return events, exits


def _returned(events: _Events, pid: int) -> float:
    return events.seen.get((pid, "returned"), float("nan"))


def run_bursts(runs: int, parallel: int) -> list[dict]:
    """`worker.py --burst` on empty queues: from "done, quitting" to the exit."""
    events, exits = _pipeline(runs, parallel, ["--burst"])
    results = []
    for pid, (exited, code) in exits.items():
        done = events.seen.get((pid, "done"))
        results.append({"after_done": None if done is None else exited - done, "code": code})
    return results


def run_idle_sigterms(runs: int, parallel: int) -> list[dict]:
    """`worker.py` waiting for work gets SIGTERM: from the signal to the exit."""
    termed: dict[int, float] = {}

    def signal_listening(alive, events):
        for pid in alive - termed.keys():
            listening = events.seen.get((pid, "listening"))
            if listening and time.time() - listening > 0.2:  # inside its wait for a job
                os.kill(pid, signal.SIGTERM)
                termed[pid] = time.time()

    _events, exits = _pipeline(runs, parallel, ["--queues", "low"], signal_listening)
    return [
        {"after_term": exited - termed[pid] if pid in termed else None, "code": code}
        for pid, (exited, code) in exits.items()
    ]


def run_busy_sigterms(workers: int, job_seconds: float, redis) -> list[dict]:
    """Each worker takes a job and gets SIGTERM: it finishes the job, then exits."""
    from rq import Queue

    queue = Queue("low", connection=redis)
    jobs = [queue.enqueue("time.sleep", job_seconds) for _ in range(workers)]
    termed: set[int] = set()

    def signal_busy(alive, events):
        # Every job has started: a worker runs one at a time, so each has one.
        if termed or any(job.get_status() != "started" for job in jobs):
            return
        for pid in alive:
            os.kill(pid, signal.SIGTERM)
            termed.add(pid)

    events, exits = _pipeline(workers, workers, ["--queues", "low"], signal_busy)
    for job in jobs:
        job.refresh()
    # Measured from the first job's end: the jobs ran side by side, so this errs long.
    ended = min((job.ended_at.timestamp() for job in jobs if job.ended_at), default=None)
    return [
        {
            "after_job": None if ended is None else exited - ended,
            "returned_after_job": None if ended is None else _returned(events, pid) - ended,
            "job": job.get_status(),
            "code": code,
        }
        for (pid, (exited, code)), job in zip(exits.items(), jobs, strict=True)
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["burst", "idle", "busy"])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--job-seconds", type=float, default=2.0)
    args = parser.parse_args()
    app = create_app()  # warms the imports; connects to nothing
    load_jobs()
    if args.mode == "burst":
        results = run_bursts(args.runs, args.parallel)
    elif args.mode == "idle":
        results = run_idle_sigterms(args.runs, args.parallel)
    else:
        from webapp.redis_conn import get_redis

        results = run_busy_sigterms(args.runs, args.job_seconds, get_redis(app))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
