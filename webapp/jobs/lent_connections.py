"""The worker's database connections, lent to each work-horse, so a job starts on a warm one.

A forked work-horse used to open its own PostgreSQL connections: ~3 ms each, and a new
server process whose catalog caches start cold (the first use of each table reads the
catalogs), together a third of a short job. Instead the worker lends the horse its own
pooled connections: it forks while none of them is in use, the horse uses them, and the
worker keeps them afterwards only when the horse reported them clean – it reached the
end of its job with every connection back in its pool (rolled back: idle, nothing left
to read), none of them closed on the way – and exited normally. After anything else (a
crash, a kill, a timeout that stopped a query, a connection still in use) the worker
closes them and the next horse gets new ones. Lending starts when the worker starts
working (`start`), not when it is built.

Never lent, the child dropping them and connecting anew as before:
- connections over TLS: the encryption state in the worker's copy would not follow the
  horse's use of the stream;
- to other children (RQ's scheduler process).
Lent connections never become prepared statements: psycopg names those with a counter
the worker's copy would not see advance, so a later horse would reuse a name in use.
"""

from __future__ import annotations

import mmap
import os
import weakref

from sqlalchemy import Engine, event


class LentConnections:
    def __init__(self, engines: tuple[Engine, ...]):
        self.engines = list(dict.fromkeys(engines))  # the app's and the run bookkeeping's
        self.lendable = [e for e in self.engines if e.dialect.name == "postgresql"]
        self.lending = self.started = False
        self._worker_pid = os.getpid()
        self._tls = False
        self._worker_connections: weakref.WeakSet = weakref.WeakSet()
        self._closed_lent = False  # in a horse: it closed (invalidated) a lent connection
        # One byte shared with every horse (an anonymous shared mapping survives fork).
        self._clean = mmap.mmap(-1, 1)

    def start(self) -> None:
        """When the worker starts working (not when it is built: its listeners stay on
        the engines for good). Its connections are made anew, each one seen connecting."""
        if self.started:
            return
        for engine in self.lendable:
            engine.dispose()
            event.listen(engine, "connect", self._on_connect)
            for closing in ("invalidate", "close", "detach"):
                event.listen(engine, closing, self._on_closing)
        self.started = True

    def _on_connect(self, dbapi_connection, record) -> None:
        if os.getpid() != self._worker_pid:
            return  # a horse's own connection: it goes with the horse
        self._worker_connections.add(dbapi_connection)
        dbapi_connection.prepare_threshold = None
        if dbapi_connection.pgconn.ssl_in_use:
            self._tls = True

    def _on_closing(self, dbapi_connection, *args) -> None:
        # A horse closing a lent connection (its pool invalidates one it could not roll
        # back: a job timeout mid-query leaves it busy; or a pre-ping found it dead) puts
        # it back as "checked in" while the worker's copy still looks idle: its socket may
        # carry the horse's query, its results, and the horse's Terminate. Not clean.
        if os.getpid() != self._worker_pid and dbapi_connection in self._worker_connections:
            self._closed_lent = True

    def before_fork(self) -> None:
        """In the worker, just before it forks a horse."""
        self._clean[0] = 0
        self.lending = self.started and bool(self.lendable) and not self._tls

    def after_fork_in_child(self) -> None:
        """In every child: a horse keeps the lent pools; anything else connects anew."""
        kept = self.lendable if self.lending else []
        for engine in self.engines:
            if engine not in kept:
                engine.dispose(close=False)  # sharing a socket across a fork corrupts it

    def report(self) -> None:
        """In the horse, at its job's end: clean when every connection is back in its pool,
        none of the lent ones closed on the way."""
        if not self._closed_lent and all(engine.pool.checkedout() == 0 for engine in self.lendable):
            self._clean[0] = 1

    def take_back(self, exited_normally: bool) -> None:
        """In the worker, once the horse has exited: keep the connections, or close them."""
        lent, self.lending = self.lending, False
        if lent and not (exited_normally and self._clean[0] == 1):
            for engine in self.lendable:
                engine.dispose()
