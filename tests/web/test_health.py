"""GET /health reports each dependency and fails with 503 naming the broken one."""


def test_healthy(client, app):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["redis"] == (
        "ok" if app.config["REDIS_URL"] else "not configured (jobs run inline)"
    )


def test_redis_down_is_503_naming_redis(make_app, monkeypatch, db):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    broken = make_app()
    response = broken.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["redis"]
    assert body["database"] == "ok"


def test_database_down_is_503_naming_database(make_app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    monkeypatch.delenv("REDIS_URL", raising=False)
    broken = make_app()
    response = broken.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["database"]
