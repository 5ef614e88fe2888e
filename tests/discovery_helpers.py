"""The sandbox intent provider over real HTTP, and running queued jobs, for discovery tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from werkzeug.serving import make_server

from webapp.sandbox import create_sandbox_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def sandbox_server():
    """`flask sandbox serve`'s app on a free port (its state in memory)."""
    server = make_server("127.0.0.1", 0, create_sandbox_app(None), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def sandbox(sandbox_server):
    httpx.post(f"{sandbox_server}/_control", json={"reset": True, "delay_ms": 0})
    yield sandbox_server
    httpx.post(f"{sandbox_server}/_control", json={"reset": True, "delay_ms": 0})


def use_sandbox(factory, workspace, sandbox_url: str) -> None:
    """Point the workspace's intent provider at the sandbox."""
    factory.provider_setting(
        workspace, "intent", base_url=f"{sandbox_url}/intent/v1", api_key="sk_test_sandbox"
    )


def run_queued_jobs() -> None:
    """With Redis, a real burst worker runs what was queued; inline work already ran."""
    if not os.environ.get("REDIS_URL"):
        return
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
