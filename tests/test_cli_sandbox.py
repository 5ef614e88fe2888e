"""The sandbox provider: `flask sandbox serve` on its own, and mounted under /sandbox."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from webapp.providers.platforms import UPLOAD_FIELDS

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_flask_sandbox_serve_starts_and_answers():
    port = _free_port()
    env = {**os.environ, "FLASK_APP": "webapp", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)  # its state in its own process
    flask = Path(sys.executable).parent / "flask"
    process = subprocess.Popen(  # noqa: S603
        [str(flask), "sandbox", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.post(
                    base + "/intent/v1/companies/search",
                    json={"topic": "AI tools", "limit": 2},
                    headers={"Authorization": "Bearer k"},
                )
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and len(response.json()["companies"]) == 2
        httpx.post(base + "/_control", json={"fail": {"platforms": {"status": 503}}})
        lead = {**dict.fromkeys(UPLOAD_FIELDS), "id": "1", "intent_score": "hot"}
        upload = httpx.post(
            base + "/platforms/tech-platform",
            json={"leads": [lead]},
            headers={"Authorization": "Bearer k"},
        )
        assert upload.status_code == 503
        upload = httpx.post(
            base + "/platforms/tech-platform",
            json={"leads": [lead]},
            headers={"Authorization": "Bearer k"},
        )
        assert upload.json()["results"] == [{"id": "1", "status": "accepted"}]
        assert httpx.get(base + "/_received").json()["counts"]["platforms"] == 1
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)


def test_mounted_under_sandbox_only_when_asked(make_app):
    assert make_app().test_client().get("/sandbox/platforms").status_code == 404
    client = make_app({"SANDBOX_PROVIDERS": True}).test_client()
    assert client.get("/sandbox/platforms").status_code == 401
    answer = client.get("/sandbox/platforms", headers={"Authorization": "Bearer k"}).get_json()
    assert "tech-platform" in answer["platforms"]
    control = client.post("/sandbox/_control", json={"fail": {"nope": {}}})
    assert control.status_code == 422


def test_sandbox_state_in_redis_is_shared_between_processes(make_app, redis_url):
    first = make_app({"SANDBOX_PROVIDERS": True, "REDIS_URL": redis_url}).test_client()
    second = make_app({"SANDBOX_PROVIDERS": True, "REDIS_URL": redis_url}).test_client()
    first.post("/sandbox/_control", json={"reset": True,
                                          "fail": {"intent": {"status": 503, "times": 1}}})  # fmt: skip
    headers = {"Authorization": "Bearer k"}
    body = {"topic": "CRM", "limit": 1}
    search = "/sandbox/intent/v1/companies/search"
    assert second.post(search, json=body, headers=headers).status_code == 503
    assert first.post(search, json=body, headers=headers).status_code == 200
    second.post("/sandbox/slack/x", json={"text": "hi"})
    assert first.get("/sandbox/_received?kind=slack").get_json()["slack"][0]["text"] == "hi"
    mail = {"from": "a@example.com", "to": ["b@example.com"], "subject": "s", "text": "t"}
    once = {**headers, "Idempotency-Key": "lead-1"}
    sent = first.post("/sandbox/email/emails", json=mail, headers=once).get_json()["id"]
    assert second.post("/sandbox/email/emails", json=mail, headers=once).get_json()["id"] == sent
    assert first.get("/sandbox/_received").get_json()["counts"]["email"] == 1
    first.post("/sandbox/_control", json={"reset": True})
    assert second.get("/sandbox/_received").get_json()["counts"]["slack"] == 0
