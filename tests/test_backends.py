"""The suite's own plumbing: per-worker backends and the no-skip rule in CI."""

import pytest

from tests import backends
from tests.conftest import _must_not_skip


def test_each_worker_has_its_own_database_and_redis_db():
    url = "postgresql://postgres:pw@127.0.0.1:5432/leadkeeper_ci"
    assert (
        backends.worker_database_url(url, "gw1")
        == "postgresql://postgres:pw@127.0.0.1:5432/leadkeeper_ci_gw1"
    )
    assert backends.worker_redis_url("redis://127.0.0.1:6379/10", "gw0").endswith(":6379/10")
    assert backends.worker_redis_url("redis://127.0.0.1:6379/10", "gw1").endswith(":6379/11")
    assert backends.worker_redis_url("redis://127.0.0.1:6379", "gw1") == "redis://127.0.0.1:6379/1"
    with pytest.raises(pytest.UsageError, match="below 15"):
        backends.worker_redis_url("redis://127.0.0.1:6379/15", "gw1")


def test_a_backend_test_may_not_skip_in_ci_when_its_backend_is_set(request, monkeypatch):
    request.node.add_marker(pytest.mark.postgres)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/x")
    monkeypatch.delenv("CI", raising=False)
    assert _must_not_skip(request.node) is None  # a developer's machine may skip
    monkeypatch.setenv("CI", "true")
    assert _must_not_skip(request.node) == "postgres"
    monkeypatch.delenv("DATABASE_URL")
    assert _must_not_skip(request.node) is None  # CI's embedded run skips them
