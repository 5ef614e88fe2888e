"""Passing a dead worker's scheduler lock to a live one.

Each RQ worker runs a scheduler (a child process) that moves due retries and
`enqueue_in` jobs onto their queues; one per queue holds a lock in Redis. RQ's lock
lives 61 s after its holder's last heartbeat and a worker only asks for it again
at its maintenance round, so after a `kill -9` the retries of the killed worker's
jobs could wait for minutes. A live scheduler refreshes its lock and its heartbeat
every second; one silent for `stale_after` seconds is dead, and its lock is
released (compare-and-delete, so a lock that changed hands is left alone) for the
caller to take.
"""

from __future__ import annotations

import logging

from redis import Redis
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock
from rq.utils import now, utcparse

log = logging.getLogger(__name__)


def release_stale_scheduler_locks(
    connection: Redis, scheduler: RQScheduler, queue_names: list[str], stale_after: float
) -> list[str]:
    """Release the locks of `queue_names` held by schedulers silent for `stale_after` s.

    `scheduler` is the caller's own (never released). Returns the queue names whose
    lock was released.
    """
    lock_ttl = scheduler.interval + 60  # what RQ sets on each refresh
    released = []
    for name in queue_names:
        key = RQScheduler.get_locking_key(name)
        owner = connection.get(key)
        if owner is None:
            continue
        owner = owner.decode() if isinstance(owner, bytes) else owner
        if owner == scheduler.name or not _is_stale(connection, key, owner, lock_ttl, stale_after):
            continue
        if release_lock(connection, key, owner):
            log.warning(
                "scheduler %s for queue %s has been silent for over %s s: lock released",
                owner,
                name,
                stale_after,
            )
            released.append(name)
    return released


def _is_stale(connection: Redis, key: str, owner: str, lock_ttl: int, stale_after: float) -> bool:
    # Both signs must agree: the lock not refreshed for `stale_after`, and no heartbeat
    # in the owner's record since (a burst worker's scheduler may hold the lock a
    # moment before it writes its record; the lock's age covers that).
    ttl_ms = connection.pttl(key)
    if ttl_ms < 0:
        return False  # gone meanwhile, or no expiry: not a lock RQ set
    if lock_ttl - ttl_ms / 1000 < stale_after:
        return False
    last = connection.hget(SCHEDULER_KEY_TEMPLATE % owner, "last_heartbeat")
    if last is None:
        return True
    silent_for = now() - utcparse(last.decode() if isinstance(last, bytes) else last)
    return silent_for.total_seconds() >= stale_after


# -- one active cron scheduler ------------------------------------------------------

LEADER_KEY = "leadkeeper:cron-scheduler:leader"


class SchedulerLeadership:
    """Which `worker.py --scheduler` process is the active one; the others stand by.

    RQ's CronScheduler has no lock: two would each enqueue every periodic job. The
    active one holds a Redis key it refreshes on every loop; it expires `ttl` seconds
    after its holder stops refreshing (killed), and is deleted at a clean stop, and a
    standing-by scheduler then takes over. (The schedules tick's claims keep the
    scheduled jobs once per period even when two did run, e.g. across a takeover.)
    """

    def __init__(self, connection: Redis, name: str, ttl: int = 30):
        self.connection = connection
        self.name = name
        self.ttl = ttl

    def holder(self) -> str | None:
        owner = self.connection.get(LEADER_KEY)
        return owner.decode() if isinstance(owner, bytes) else owner

    def acquire(self) -> bool:
        """Take the lead if nobody holds it, or keep it; False while another holds it."""
        if self.connection.set(LEADER_KEY, self.name, nx=True, ex=self.ttl):
            return True
        return self.refresh()

    def refresh(self) -> bool:
        # Compare-and-expire: only the holder extends its lead.
        return bool(self.connection.eval(_REFRESH, 1, LEADER_KEY, self.name, self.ttl))

    def release(self) -> None:
        release_lock(self.connection, LEADER_KEY, self.name)


_REFRESH = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('expire', KEYS[1], ARGV[2])
end
return 0
"""
