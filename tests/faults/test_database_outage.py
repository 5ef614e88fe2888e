"""While PostgreSQL is unreachable or its connections are killed, every answer is ours.

The app runs under gunicorn (2 sync workers, as deployed) with its database behind a
proxy the test cuts; threads hammer a page, the API, capture and /health meanwhile.
Every answer must be the app's own: a 503 with our security headers, no stack trace,
no gunicorn error page; and once the database is back the app serves again by itself.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import httpx
import psycopg
import pytest

from tests.faults.conftest import postgres_url, wait_until
from webapp.models.forms import CaptureForm
from webapp.services.accounts.api_tokens import create_token

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SUCCESS = {"health": 200, "page": 200, "api": 200, "capture": 201}
LEAKS = ("Traceback", "Internal Server Error", "sqlalchemy", "psycopg", 'File "')


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    factory.lead(workspace, email="existing@example.com")
    secret = create_token(db.session, workspace.id, "Faults", admin.id).secret
    form = CaptureForm(workspace_id=workspace.id, name="Contact us", rate_limit_per_hour=100_000)
    db.session.add(form)
    db.session.commit()
    return SimpleNamespace(admin=admin, secret=secret, form_key=form.public_key)


def signed_in_client(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=15)
    page = client.get("/login").text
    token = CSRF_META.search(page).group(1)
    answer = client.post(
        "/login", data={"email": email, "password": "password123", "csrf_token": token}
    )
    assert answer.status_code == 302, answer.text
    return client


@dataclass
class Answer:
    kind: str
    status: int
    headers: httpx.Headers
    body: str


@dataclass
class Traffic:
    """Threads sending the four kinds of request in turn, keeping every answer."""

    base: str
    desk: SimpleNamespace
    answers: list[Answer] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # no HTTP answer at all
    _stop: threading.Event = field(default_factory=threading.Event)
    _seq: itertools.count = field(default_factory=itertools.count)

    def send(self, client: httpx.Client, kind: str) -> Answer:
        if kind == "health":
            response = client.get("/health")
        elif kind == "page":
            response = client.get("/leads", headers={"Accept": "text/html"})
        elif kind == "api":
            response = client.get(
                "/api/v1/leads", headers={"Authorization": f"Bearer {self.desk.secret}"}
            )
        else:
            n = f"{next(self._seq)}-{uuid.uuid4().hex[:8]}"  # a new lead each time: 201
            response = client.post(
                "/api/v1/leads",
                json={"name": f"Outage {n}", "email": f"outage{n}@example.com"},
                headers={"X-Form-Key": self.desk.form_key},
            )
        return Answer(kind, response.status_code, response.headers, response.text)

    def _run(self, client: httpx.Client) -> None:
        for kind in itertools.cycle(SUCCESS):
            if self._stop.is_set():
                return
            try:
                self.answers.append(self.send(client, kind))
            except httpx.HTTPError as exc:
                self.broken.append(f"{kind}: {exc!r}")

    def run_while(self, action, threads: int = 3) -> None:
        clients = [signed_in_client(self.base, self.desk.admin.email) for _ in range(threads)]
        workers = [threading.Thread(target=self._run, args=(c,)) for c in clients]
        for worker in workers:
            worker.start()
        try:
            action()
        finally:
            self._stop.set()
            for worker in workers:
                worker.join(30)
            for client in clients:
                client.close()


def check_answer(answer: Answer) -> None:
    where = f"{answer.kind} {answer.status}: {answer.body[:300]!r}"
    assert answer.status in (SUCCESS[answer.kind], 503), where
    assert "Content-Security-Policy" in answer.headers, where
    assert answer.headers.get("X-Content-Type-Options") == "nosniff", where
    assert not any(leak in answer.body for leak in LEAKS), where
    if answer.status != 503:
        return
    if answer.kind == "health":
        body = httpx.Response(503, text=answer.body).json()
        assert body["database"] == "unavailable" and "database" in body["failing"], where
        return
    assert int(answer.headers["Retry-After"]) > 0, where
    if answer.kind == "page":
        assert answer.headers["content-type"].startswith("text/html"), where
        assert "Unavailable" in answer.body and len(answer.body) < 20_000, where
    else:
        body = httpx.Response(503, text=answer.body).json()
        assert body["errors"] == {} and "database" in body["message"], where


def check_everything_answers(server, desk) -> None:
    """Recovered: each kind of request succeeds again, without a restart."""
    traffic = Traffic(server.base, desk)
    client = signed_in_client(server.base, desk.admin.email)

    def all_succeed() -> bool:
        return all(traffic.send(client, kind).status == ok for kind, ok in SUCCESS.items())

    wait_until(all_succeed, 15, every=0.2, what="every request answering again")
    for kind, ok in SUCCESS.items():
        assert traffic.send(client, kind).status == ok
    client.close()


def errors_logged(server) -> str:
    """The log's ERROR entries with their tracebacks (its WARNING lines are expected)."""
    kept, keep = [], False
    for line in server.log().splitlines():
        if re.match(r"\d{4}-\d\d-\d\d |\[\d{4}-", line):
            keep = " ERROR " in line or "[ERROR]" in line
        if keep:
            kept.append(line)
    return "\n".join(kept)


def check_traffic(traffic: Traffic, server, every_kind_fails: bool) -> None:
    assert traffic.broken == [], traffic.broken[:5]
    wrong = []
    for answer in traffic.answers:
        try:
            check_answer(answer)
        except AssertionError as exc:
            wrong.append(str(exc).splitlines()[0])
    assert wrong == [], (
        f"{len(wrong)} of {len(traffic.answers)} answers were not ours: {wrong[:8]}\n"
        + errors_logged(server)[-8000:]
    )
    seen = Counter((a.kind, a.status) for a in traffic.answers)
    if every_kind_fails:
        outage = {kind for kind, status in seen if status == 503}
        assert outage == set(SUCCESS), f"the outage was not seen by every kind: {seen}"
    else:  # killed connections fail only the requests using them at that moment
        assert sum(n for (_, status), n in seen.items() if status == 503) >= 5, seen
    assert "Error handling request" not in server.log(), errors_logged(server)[-8000:]


def test_database_unreachable_answers_503_then_recovers(app_server, pg_proxy, desk):
    traffic = Traffic(app_server.base, desk)

    def outage() -> None:
        time.sleep(0.5)
        pg_proxy.cut()
        time.sleep(3)
        pg_proxy.restore()

    traffic.run_while(outage)
    check_traffic(traffic, app_server, every_kind_fails=True)
    check_everything_answers(app_server, desk)


def test_connections_killed_in_a_loop_answer_503_then_recover(app_server, desk):
    traffic = Traffic(app_server.base, desk)

    def kill_the_apps_connections() -> None:
        deadline = time.monotonic() + 5
        with psycopg.connect(postgres_url(), autocommit=True) as admin:
            while time.monotonic() < deadline:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s",
                    (app_server.application_name,),
                )
                time.sleep(0.05)

    traffic.run_while(kill_the_apps_connections)
    check_traffic(traffic, app_server, every_kind_fails=False)
    check_everything_answers(app_server, desk)


def test_a_database_that_does_not_answer_is_a_503_within_the_connect_timeout(
    app_server, pg_proxy, desk
):
    """A lost route: connections hang unanswered. Each request gives up after the connect
    timeout (DATABASE_CONNECT_TIMEOUT=2 here) instead of the OS's minutes."""
    traffic = Traffic(app_server.base, desk)
    client = signed_in_client(app_server.base, desk.admin.email)
    pg_proxy.blackhole()
    for kind in ("health", "api", "page", "capture"):
        started = time.monotonic()
        answer = traffic.send(client, kind)
        elapsed = time.monotonic() - started
        assert answer.status == 503, (kind, answer.status, answer.body[:300])
        check_answer(answer)
        assert elapsed < 2 + 3, f"{kind} took {elapsed:.1f} s"
    client.close()
    pg_proxy.restore()
    check_everything_answers(app_server, desk)
