"""Fault fixtures: a TCP proxy in front of PostgreSQL, a private Redis, the app under gunicorn.

The machine's PostgreSQL and Redis are shared, so no test stops them: the app reaches
PostgreSQL through a proxy the test can cut and restore, and Redis faults use a
redis-server of the test's own on a free port.
"""

from __future__ import annotations

import ctypes
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import suppress
from pathlib import Path

import gunicorn
import httpx
import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _die_with_the_tests() -> None:
    """In the child before exec: if pytest dies (a timeout, ^C), so does the server, and no
    frozen redis-server or gunicorn outlives the run (Linux; elsewhere a no-op)."""
    with suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, every: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"{what} not met within {timeout} s")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target. `cut()` drops every connection and refuses new
    ones (a dead server); `blackhole()` drops them and lets new ones hang unanswered (a lost
    route); `restore()` lets connections through again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._silent = False
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, name="pg-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self._open.is_set():
                if self._silent:
                    with self._lock:
                        self._sockets.add(client)  # held, never answered, dropped on restore
                else:
                    _drop(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _drop(client)
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                sock.setblocking(True)
                selector.register(sock, selectors.EVENT_READ)
            try:
                while self._open.is_set():
                    for key, _ in selector.select(timeout=0.2):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        peers[key.fileobj].sendall(data)
            except (OSError, ValueError):  # dropped by cut() under our feet
                return
            finally:
                with self._lock:
                    self._sockets.difference_update(peers)
                for sock in peers:
                    _drop(sock)

    def cut(self) -> None:
        self._silent = False
        self._drop_all()

    def blackhole(self) -> None:
        self._silent = True
        self._drop_all()

    def _drop_all(self) -> None:
        self._open.clear()
        with self._lock:
            doomed = list(self._sockets)
            self._sockets.clear()
        for sock in doomed:
            _drop(sock)

    def restore(self) -> None:
        self._drop_all()  # the connections held unanswered
        self._silent = False
        self._open.set()

    def close(self) -> None:
        self._closed = True
        self.cut()
        _drop(self.listener)


def _drop(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()


class PrivateRedis:
    """A redis-server of the test's own (no persistence), to stop, freeze and start at will."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_the_tests,
        )
        wait_until(self.answers, 10, what="private redis-server up")

    def answers(self) -> bool:
        from redis import Redis

        try:
            return bool(Redis(port=self.port, socket_timeout=0.5).ping())
        except Exception:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted by the kernel but nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres:")):
        pytest.skip("fault tests need PostgreSQL (DATABASE_URL)")
    return url


@pytest.fixture()
def pg_proxy():
    url = make_url(postgres_url())
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy
    proxy.close()


@pytest.fixture()
def private_redis(tmp_path):
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed")
    postgres_url()
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    with suppress(Exception):
        server.thaw()
    server.stop()


class AppServer:
    """The app under gunicorn (2 sync workers, as deployed), its database through the proxy."""

    def __init__(self, proxy: TcpProxy, redis_url: str | None, log_path: Path, **env_vars):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # A name of our own, so the test can find (and terminate) the app's connections.
        self.application_name = f"lk-faults-{uuid.uuid4().hex[:8]}"
        url = make_url(postgres_url()).set(
            host="127.0.0.1", port=proxy.port, query={"application_name": self.application_name}
        )
        env = {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": "faults-secret-key",
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "DATABASE_CONNECT_TIMEOUT": "2",
            # The hammer sends thousands of API reads a minute: the token's limit is not
            # what these tests are about.
            "API_RATE_LIMIT": "100000 per minute",
            **env_vars,
        }
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = [sys.executable, "-m", "gunicorn", "--workers", "2"]
        command += [
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "2",
        ]
        if gunicorn.version_info >= (27,):  # its control socket is one path per user otherwise
            command += ["--control-socket", str(log_path.parent / "gunicorn.ctl")]
        self.process = subprocess.Popen(
            [*command, "webapp:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_the_tests,
        )
        wait_until(self._up, 60, every=0.2, what="gunicorn answering /health")

    def _up(self) -> bool:
        assert self.process.poll() is None, self.log_path.read_text()
        try:
            return httpx.get(self.base + "/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log.close()


@pytest.fixture()
def app_server(db, pg_proxy, tmp_path):
    """Needs `db`: the schema exists and each test's rows are truncated after it."""
    server = AppServer(pg_proxy, os.environ.get("REDIS_URL"), tmp_path / "gunicorn.log")
    yield server
    server.stop()
