"""The registry of job functions: each job is declared once, by kind, where it is defined.

    @job("duplicates.scan", label="Duplicates scan")
    def scan_duplicates(run, workspace_id: str) -> None: ...

Everything else (the enqueue facade, the periodic list, the Jobs page's labels)
refers to a job by its kind, never by a dotted path. Every job takes the run handle
(webapp.jobs.runner.RunHandle) first, then ids and plain values, never ORM objects.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobSpec:
    kind: str
    func: Callable
    queue: str
    label: str
    # False for high-frequency internal work that would flood the Jobs page (the
    # relay kicked on every capture): such enqueues write no run row.
    record: bool = True
    # A short job that runs often (one lead's step): a forking worker runs its first one
    # in its own process, so every later one, forked from it, starts with its SQL compiled.
    warm: bool = False


class UnknownJob(LookupError):
    pass


_JOBS: dict[str, JobSpec] = {}
_loaded = False


def job(kind: str, *, label: str, queue: str = "default", record: bool = True, warm: bool = False):
    """Register the decorated function as the job `kind`."""

    def register(func: Callable) -> Callable:
        known = _JOBS.get(kind)
        if known is not None and known.func.__qualname__ != func.__qualname__:
            raise ValueError(f"job kind {kind!r} is already registered")
        _JOBS[kind] = JobSpec(kind, func, queue, label, record, warm)
        func.job_kind = kind
        return func

    return register


def load_jobs() -> None:
    """Import every job module once, so every kind is registered (and warm in a worker)."""
    global _loaded
    if _loaded:
        return
    import webapp.jobs as jobs_package

    for module in pkgutil.iter_modules(jobs_package.__path__, "webapp.jobs."):
        importlib.import_module(module.name)
    _loaded = True


def get_job(kind: str) -> JobSpec:
    spec = _JOBS.get(kind)
    if spec is None:
        load_jobs()
        spec = _JOBS.get(kind)
    if spec is None:
        raise UnknownJob(kind)
    return spec


def registered_jobs() -> dict[str, JobSpec]:
    load_jobs()
    return dict(_JOBS)


def job_label(kind: str) -> str:
    """A person's name for a kind; an unknown (retired) kind shows as itself."""
    try:
        return get_job(kind).label
    except UnknownJob:
        return kind
