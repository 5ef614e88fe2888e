import pytest


@pytest.fixture()
def inline(app, db, monkeypatch):
    """Jobs run in the test's process (the embedded default), whatever REDIS_URL says."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture()
def desk(db, factory, inline):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    return workspace, admin
